package privsep

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/internal/mapprogram"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/wsgi"
)

// Client is the server's side: it starts the helper and asks it.
type Client struct {
	control *os.File
	cmd     *exec.Cmd

	sendMu  sync.Mutex
	mu      sync.Mutex
	next    uint64
	pending map[uint64]chan result
	exits   map[int]chan string
	// pipes report what the helper's piped log programs have to say.
	pipes    map[uint64]func(format string, args ...any)
	nextPipe uint64
	// nextMap numbers the map programs the helper starts.
	nextMap uint64
	gone    error
}

// result is a reply with its descriptors: fd is the first (-1 for
// none), extra the others.
type result struct {
	reply
	fd    int
	extra []int
}

// close closes the result's descriptors.
func (r result) close() {
	if r.fd >= 0 {
		syscall.Close(r.fd)
	}
	closeAll(r.extra)
}

// Start starts the helper: executable with args (gowsgid's hidden
// privsep subcommand and the server's flags), the control channel as
// its fd 3. It returns once the helper has read the configuration.
func Start(executable string, args []string) (*Client, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("privsep: %w", err)
	}
	mine := os.NewFile(uintptr(fds[0]), "privsep")
	theirs := os.NewFile(uintptr(fds[1]), "privsep")
	defer theirs.Close()
	cmd := exec.Command(executable, args...)
	cmd.Args[0] = os.Args[0] // ps shows the server's name, not /proc/self/exe
	// The server's standard streams: a pass phrase dialog the helper
	// runs (Debian's ask-for-passphrase, SSLPassPhraseDialog builtin)
	// looks there for a terminal, and the builtin one prompts on
	// standard output, as Apache's parent does.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{theirs}
	// SIGTERM, not SIGKILL, when the server dies: the helper then cleans
	// up after it (workers, PidFile).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		mine.Close()
		return nil, fmt.Errorf("privsep: starting the helper: %w", err)
	}
	c, err := newClient(mine)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		mine.Close()
		return nil, err
	}
	c.cmd = cmd
	return c, nil
}

// newClient waits for the helper at the other end of control to be
// ready, then serves its messages.
func newClient(control *os.File) (*Client, error) {
	c := &Client{control: control, pending: map[uint64]chan result{}, exits: map[int]chan string{},
		pipes: map[uint64]func(string, ...any){}}
	var ready reply
	fds, err := receive(control, &ready)
	closeAll(fds)
	if err != nil || len(fds) > 0 || ready.Error != "" {
		if err == nil {
			err = errors.New(ready.Error)
		}
		return nil, fmt.Errorf("privsep: the helper did not start: %w", err)
	}
	go c.read()
	return c, nil
}

// read dispatches the helper's messages.
func (c *Client) read() {
	for {
		var r reply
		fds, err := receive(c.control, &r)
		c.mu.Lock()
		if err != nil {
			c.gone = fmt.Errorf("privsep: the helper is gone: %w", err)
			for id, ch := range c.pending {
				ch <- result{reply: reply{ID: id, Error: c.gone.Error()}, fd: -1}
			}
			c.pending = nil
			for _, ch := range c.exits {
				ch <- "terminated with the privileged helper"
			}
			c.exits = nil
			c.mu.Unlock()
			return
		}
		var notify func(string, ...any)
		if r.ID == 0 && r.Pipe != 0 {
			notify = c.pipes[r.Pipe]
		} else if r.ID == 0 {
			if ch, ok := c.exits[r.Pid]; ok {
				ch <- r.Exit
				delete(c.exits, r.Pid)
			}
		} else if ch, ok := c.pending[r.ID]; ok {
			delete(c.pending, r.ID)
			if r.Pid != 0 && r.Error == "" {
				// Registered here, before the exit notice can be read.
				c.exits[r.Pid] = make(chan string, 1)
			}
			res := result{reply: r, fd: -1}
			if len(fds) > 0 {
				res.fd, res.extra = fds[0], fds[1:]
			}
			ch <- res
			fds = nil
		}
		c.mu.Unlock()
		closeAll(fds)
		if notify != nil {
			notify("%s", r.Notice)
		}
	}
}

// call sends a request and waits for its reply.
func (c *Client) call(req request) (result, error) { return c.callWith(req, -1) }

// callWith sends req with descriptor fd (-1 for none) and waits for the
// answer.
func (c *Client) callWith(req request, fd int) (result, error) {
	ch := make(chan result, 1)
	c.mu.Lock()
	if c.gone != nil {
		c.mu.Unlock()
		return result{}, c.gone
	}
	c.next++
	req.ID = c.next
	c.pending[req.ID] = ch
	c.mu.Unlock()
	c.sendMu.Lock()
	err := send(c.control, req, fd)
	c.sendMu.Unlock()
	if err != nil {
		return result{}, fmt.Errorf("privsep: %w", err)
	}
	res := <-ch
	if res.Error != "" {
		res.close()
		return res, &remoteError{msg: res.Error, errno: syscall.Errno(res.Errno)}
	}
	return res, nil
}

// Spawn asks the helper to start worker index of the group; the helper
// starts it with the options of its own configuration. It makes the
// client a wsgi.Spawner.
func (c *Client) Spawn(opts *wsgi.GroupOptions, index int) (*os.File, wsgi.Proc, error) {
	res, err := c.call(request{Op: "spawn", Group: opts.Name, Index: index})
	if err != nil {
		return nil, nil, fmt.Errorf("daemon process group %s: %w", opts.Name, err)
	}
	if res.fd < 0 {
		return nil, nil, fmt.Errorf("daemon process group %s: the helper sent no control channel", opts.Name)
	}
	c.mu.Lock()
	exited := c.exits[res.Pid]
	c.mu.Unlock()
	return os.NewFile(uintptr(res.fd), "wsgi-control"), &remoteProc{c: c, pid: res.Pid, exited: exited}, nil
}

// Listen asks the helper for a listening socket on addr, one of the
// configuration's Listen addresses.
func (c *Client) Listen(addr string) (net.Listener, error) {
	res, err := c.call(request{Op: "listen", Addr: addr})
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(res.fd), "listener")
	defer f.Close()
	return net.FileListener(f)
}

// RemovePidFile asks the helper to remove the server's PidFile now,
// which the server may no longer be allowed to do itself.
func (c *Client) RemovePidFile() error {
	_, err := c.call(request{Op: "unpid"})
	return err
}

// OpenFile asks the helper to open one of the configuration's log files
// for appending.
func (c *Client) OpenFile(path string) (*os.File, error) {
	res, err := c.call(request{Op: "open", Path: path})
	if err != nil {
		return nil, err
	}
	if res.fd < 0 {
		return nil, fmt.Errorf("privsep: no descriptor for %s", path)
	}
	return os.NewFile(uintptr(res.fd), path), nil
}

// ReadFile reads a certificate or key file of the configuration, which
// only root may read (Debian's /etc/ssl/private).
func (c *Client) ReadFile(path string) ([]byte, error) {
	res, err := c.call(request{Op: "read", Path: path})
	if err != nil {
		return nil, err
	}
	if res.fd < 0 {
		return nil, fmt.Errorf("privsep: no descriptor for %s", path)
	}
	f := os.NewFile(uintptr(res.fd), path)
	defer f.Close()
	return io.ReadAll(f)
}

// ReadKey asks the helper for the private key index of server id (its
// name:port), read from key as root and, when it is encrypted,
// decrypted as mod_ssl decrypts it: the helper runs the pass phrase
// dialog of its configuration and keeps the pass phrases and the keys,
// so that no pass phrase reaches the server. It makes the client a
// confparse.Config's ReadKey.
func (c *Client) ReadKey(id string, index int, key confparse.SSLFile) ([]byte, error) {
	res, err := c.call(request{Op: "key", Path: key.Path, Server: id, Index: index})
	if err != nil {
		if res.Level != "" {
			return nil, &confparse.CertificateError{File: key.File, Line: key.Line, Msg: res.Error, Level: res.Level}
		}
		return nil, err
	}
	return res.Data, nil
}

// StartPipe asks the helper to start a piped log program of the
// configuration (program is what follows the '|'), as root; the server
// gets the write end of its input. errorf reports the program's
// restarts. It makes the client a logfile.Set's StartPipe.
func (c *Client) StartPipe(program string, errorf func(format string, args ...any)) (logfile.Pipe, error) {
	// The pipe is numbered here, so that the notice of a program that
	// exits at once, which may come before the reply, finds errorf.
	c.mu.Lock()
	c.nextPipe++
	id := c.nextPipe
	c.pipes[id] = errorf
	c.mu.Unlock()
	res, err := c.call(request{Op: "pipe", Program: program, Pipe: id})
	if err == nil && res.fd < 0 {
		err = fmt.Errorf("privsep: no descriptor for |%s", program)
	}
	if err != nil {
		c.mu.Lock()
		delete(c.pipes, id)
		c.mu.Unlock()
		return nil, err
	}
	return &remotePipe{c: c, id: id, w: os.NewFile(uintptr(res.fd), "|"+program)}, nil
}

// StartMapProgram asks the helper to start the program of a RewriteMap
// prg: map of the configuration, as root or the map's user, as Apache's
// parent starts it; stderr is its standard error. It makes the client a
// server.Options.StartMapProgram.
func (c *Client) StartMapProgram(spec rewrite.Program, stderr *os.File) (mapprogram.Running, error) {
	c.mu.Lock()
	c.nextMap++
	id := c.nextMap
	c.mu.Unlock()
	fd := -1
	if stderr != nil {
		fd = int(stderr.Fd())
	}
	res, err := c.callWith(request{Op: "mapprg", Map: &spec, MapID: id}, fd)
	if err == nil && (res.fd < 0 || len(res.extra) != 1) {
		res.close()
		err = fmt.Errorf("privsep: no pipes for %s", spec.Argv[0])
	}
	if err != nil {
		return nil, err
	}
	// The helper's Fd made the pipes blocking (the flag is the pipe's,
	// shared with the helper): non-blocking, they are the poller's, so
	// that closing them ends a lookup that waits on them.
	syscall.SetNonblock(res.fd, true)
	syscall.SetNonblock(res.extra[0], true)
	p := &remoteProgram{c: c, id: id, in: os.NewFile(uintptr(res.fd), "map program input"),
		out: os.NewFile(uintptr(res.extra[0]), "map program output")}
	if res.Notice != "" {
		return p, &mapprogram.ExecError{Path: res.Notice, Err: syscall.Errno(res.Errno)}
	}
	return p, nil
}

// remoteProgram is a map program the helper started.
type remoteProgram struct {
	c       *Client
	id      uint64
	in, out *os.File
}

func (p *remoteProgram) In() *os.File  { return p.in }
func (p *remoteProgram) Out() *os.File { return p.out }

// Close closes the server's end of the program's input and has the
// helper end the program.
func (p *remoteProgram) Close() error {
	p.in.Close()
	_, err := p.c.call(request{Op: "unmapprg", MapID: p.id})
	p.out.Close()
	return err
}

// remotePipe is a piped log program the helper started.
type remotePipe struct {
	c  *Client
	id uint64
	w  *os.File
}

func (p *remotePipe) Writer() *os.File { return p.w }

// Close closes the server's end of the program's input and has the
// helper end the program.
func (p *remotePipe) Close() error {
	err := p.w.Close()
	_, cerr := p.c.call(request{Op: "unpipe", Pipe: p.id})
	p.c.mu.Lock()
	delete(p.c.pipes, p.id)
	p.c.mu.Unlock()
	return errors.Join(err, cerr)
}

// Reload has the helper read the configuration again (after the server
// has, for a graceful restart).
func (c *Client) Reload() error {
	_, err := c.call(request{Op: "reload"})
	return err
}

// remoteProc is a worker the helper started.
type remoteProc struct {
	c      *Client
	pid    int
	exited chan string
	once   sync.Once
	how    string
}

func (p *remoteProc) Pid() int { return p.pid }

func (p *remoteProc) Wait() string {
	p.once.Do(func() {
		if p.exited == nil {
			p.how = "terminated with the privileged helper"
			return
		}
		p.how = <-p.exited
	})
	return p.how
}

func (p *remoteProc) Kill() { p.c.call(request{Op: "kill", Pid: p.pid}) }
