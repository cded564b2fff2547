package privsep

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/internal/mapprogram"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/wsgi"
)

// Helper is the privileged side: it serves one server's requests.
type Helper struct {
	// Control is the helper's end of the channel.
	Control *os.File
	// Load reads and checks the configuration as the server does.
	Load func() (*confparse.Config, error)
	// Groups resolves a configuration's daemon process groups, ready to
	// spawn (executable, error log and identity set); release (if not
	// nil) frees what they hold (their error log) once a reload
	// replaced them.
	Groups func(cfg *confparse.Config) (groups map[string]*wsgi.GroupOptions, release func(), err error)
	// ServerPid is the server's pid: at the end the helper removes the
	// PidFile if it still names it (the server may no longer be allowed
	// to).
	ServerPid int

	sendMu sync.Mutex
	mu     sync.Mutex
	cfg    *confparse.Config
	// pidFile is the PidFile of the configuration the server started
	// with, where it wrote its pid (a reload does not move it).
	pidFile string
	groups  map[string]*wsgi.GroupOptions
	release func() // frees what groups hold
	workers map[int]wsgi.Proc
	// pipes are the piped log programs started for the server, by the
	// number it gave them.
	pipes map[uint64]logfile.Pipe
	// programs are the RewriteMap prg: programs started for the server,
	// by the number it gave them.
	programs map[uint64]*mapprogram.Program
	// keys are the private keys a pass phrase decrypted, kept from one
	// configuration to the next as mod_ssl keeps them in its parent.
	keys *confparse.KeyCache
}

// Serve loads the configuration, then answers the server until it goes
// away. The workers the helper started die with it.
func (h *Helper) Serve() error {
	if err := h.reload(); err != nil {
		h.reply(reply{Error: err.Error()}, -1)
		return err
	}
	h.mu.Lock()
	h.workers, h.pipes, h.programs = map[int]wsgi.Proc{}, map[uint64]logfile.Pipe{}, map[uint64]*mapprogram.Program{}
	h.keys = &confparse.KeyCache{}
	h.mu.Unlock()
	if err := h.reply(reply{ID: 0}, -1); err != nil { // ready
		return err
	}
	for {
		var req request
		fds, err := receive(h.Control, &req)
		if err != nil {
			h.Close()
			return nil // the server is gone
		}
		h.handle(req, fds)
	}
}

func (h *Helper) reload() error {
	cfg, err := h.Load()
	if err != nil {
		return err
	}
	groups, release, err := h.Groups(cfg)
	if err != nil {
		return err
	}
	h.mu.Lock()
	old := h.release
	h.cfg, h.groups, h.release = cfg, groups, release
	if h.pidFile == "" {
		h.pidFile = server.PidFilePath(cfg)
	}
	h.mu.Unlock()
	if old != nil {
		old() // workers already started keep their own descriptors
	}
	return nil
}

// handle answers req; fds are the descriptors it came with, which handle
// closes.
func (h *Helper) handle(req request, fds []int) {
	defer closeAll(fds)
	fail := func(err error) {
		var en syscall.Errno
		errors.As(err, &en)
		h.reply(reply{ID: req.ID, Error: err.Error(), Errno: int(en)})
	}
	switch req.Op {
	case "reload":
		if err := h.reload(); err != nil {
			fail(err)
			return
		}
		h.reply(reply{ID: req.ID}, -1)
	case "spawn":
		h.mu.Lock()
		opts, ok := h.groups[req.Group]
		h.mu.Unlock()
		if !ok {
			fail(fmt.Errorf("no WSGIDaemonProcess %q in the configuration", req.Group))
			return
		}
		control, proc, err := wsgi.LocalSpawner{}.Spawn(opts, req.Index)
		if err != nil {
			fail(err)
			return
		}
		h.mu.Lock()
		h.workers[proc.Pid()] = proc
		h.mu.Unlock()
		h.reply(reply{ID: req.ID, Pid: proc.Pid()}, int(control.Fd()))
		control.Close()
		go func() {
			how := proc.Wait()
			h.mu.Lock()
			delete(h.workers, proc.Pid())
			h.mu.Unlock()
			h.reply(reply{Pid: proc.Pid(), Exit: how}, -1)
		}()
	case "unpid":
		// A graceful stop: the PidFile goes at once, so a new server
		// may start while this one finishes its requests.
		h.mu.Lock()
		pidFile := h.pidFile
		h.mu.Unlock()
		if pidFile != "" && h.ServerPid > 0 {
			server.RemovePidFile(pidFile, h.ServerPid)
		}
		h.reply(reply{ID: req.ID}, -1)
	case "kill":
		h.mu.Lock()
		proc, ok := h.workers[req.Pid]
		h.mu.Unlock()
		if ok {
			proc.Kill()
		}
		h.reply(reply{ID: req.ID}, -1)
	case "listen":
		if !h.listens(req.Addr) {
			fail(fmt.Errorf("%s is no Listen address of the configuration", req.Addr))
			return
		}
		ln, err := net.Listen("tcp", req.Addr)
		if err != nil {
			fail(err)
			return
		}
		f, err := listenerFile(ln)
		ln.Close()
		if err != nil {
			fail(err)
			return
		}
		h.reply(reply{ID: req.ID}, int(f.Fd()))
		f.Close()
	case "key":
		data, err := h.readKey(req.Server, req.Index, req.Path)
		var ce *confparse.CertificateError
		if errors.As(err, &ce) {
			h.reply(reply{ID: req.ID, Error: ce.Msg, Level: ce.LogLevel()})
			return
		}
		if err != nil {
			fail(err)
			return
		}
		h.reply(reply{ID: req.ID, Data: data}, -1)
	case "read":
		if !h.certificateFile(req.Path) {
			fail(fmt.Errorf("%s is no certificate or key file of the configuration", req.Path))
			return
		}
		f, err := os.Open(req.Path)
		if err != nil {
			fail(err)
			return
		}
		h.reply(reply{ID: req.ID}, int(f.Fd()))
		f.Close()
	case "open":
		if !h.logFile(req.Path) {
			fail(fmt.Errorf("%s is no log file of the configuration", req.Path))
			return
		}
		f, err := logfile.OpenAppend(req.Path)
		if err != nil {
			fail(err)
			return
		}
		h.reply(reply{ID: req.ID}, int(f.Fd()))
		f.Close()
	case "pipe":
		dir, ok := h.pipedLog(req.Program)
		if !ok {
			fail(fmt.Errorf("|%s is no piped log of the configuration", req.Program))
			return
		}
		id := req.Pipe
		h.mu.Lock()
		_, taken := h.pipes[id]
		h.mu.Unlock()
		if id == 0 || taken {
			fail(fmt.Errorf("piped log number %d is taken", id))
			return
		}
		notice := func(format string, args ...any) {
			h.reply(reply{Pipe: id, Notice: fmt.Sprintf(format, args...)}, -1)
		}
		p, err := logfile.StartProgram(req.Program, dir, notice)
		if err != nil {
			fail(err)
			return
		}
		h.mu.Lock()
		h.pipes[id] = p
		h.mu.Unlock()
		h.reply(reply{ID: req.ID}, int(p.Writer().Fd()))
	case "unpipe":
		p, ok := take(h, h.pipes, req.Pipe)
		// The program gets a moment to finish what it read: meanwhile
		// the helper answers other requests.
		h.closeThenReply(req.ID, p, ok)
	case "mapprg":
		if req.Map == nil || !h.mapProgram(*req.Map) {
			fail(errors.New("no RewriteMap prg: of the configuration runs that program"))
			return
		}
		h.mu.Lock()
		_, taken := h.programs[req.MapID]
		h.mu.Unlock()
		if req.MapID == 0 || taken {
			fail(fmt.Errorf("map program number %d is taken", req.MapID))
			return
		}
		var stderr *os.File
		if len(fds) > 0 {
			// Taken from the descriptors handle closes.
			stderr, fds[0] = os.NewFile(uintptr(fds[0]), "stderr"), -1
			defer stderr.Close()
		}
		p, err := mapprogram.Start(*req.Map, stderr)
		var execErr *mapprogram.ExecError
		if err != nil && !errors.As(err, &execErr) {
			fail(err)
			return
		}
		h.mu.Lock()
		h.programs[req.MapID] = p
		h.mu.Unlock()
		r := reply{ID: req.ID}
		if execErr != nil {
			// Started dead: the server logs why (Notice names the
			// program) and goes on with it.
			var en syscall.Errno
			errors.As(execErr.Err, &en)
			r.Notice, r.Errno = execErr.Path, int(en)
		}
		h.reply(r, int(p.In().Fd()), int(p.Out().Fd()))
	case "unmapprg":
		p, ok := take(h, h.programs, req.MapID)
		h.closeThenReply(req.ID, p, ok)
	default:
		fail(fmt.Errorf("unknown request %q", req.Op))
	}
}

// listens reports whether addr is one of the configuration's Listen
// addresses.
func (h *Helper) listens(addr string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.cfg.Listeners {
		if net.JoinHostPort(l.Host, strconv.Itoa(l.Port)) == addr {
			return true
		}
	}
	return false
}

// certificateFile reports whether path is an SSLCertificateFile,
// SSLCertificateKeyFile, SSLCertificateChainFile or
// SSLSessionTicketKeyFile of any server of the configuration: the files
// mod_ssl reads as root.
// readKey reads the private key index of server id (its name:port) at
// path, which must be that server's in the helper's configuration, and
// decrypts it with the configuration's pass phrase dialog when it is
// encrypted (confparse.Config.ReadKey's work, as root).
func (h *Helper) readKey(id string, index int, path string) ([]byte, error) {
	h.mu.Lock()
	cfg := h.cfg
	h.mu.Unlock()
	path = filepath.Clean(path)
	for _, s := range append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...) {
		if s == nil || confparse.SSLName(s) != id {
			continue
		}
		if key, ok := cfg.KeyFile(s, index); ok && key.Path == path {
			cfg.Keys = h.keys
			return cfg.ReadKeyFile(id, index, key)
		}
	}
	return nil, fmt.Errorf("%s is no key of %s in the configuration", path, id)
}

// certificateFile reports whether path is a file mod_ssl reads for a
// server of the configuration (its own or the main server's, as they
// merge): a certificate, key, chain or session ticket key file, a CA
// certificate, revocation list or CA name file, or a file directly in
// one of the directories of those.
func (h *Helper) certificateFile(path string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	path = filepath.Clean(path)
	names := func(p string) bool { return p != "" && filepath.Clean(p) == path }
	holds := func(dir string) bool { return dir != "" && filepath.Clean(dir) == filepath.Dir(path) }
	for _, s := range append([]*confparse.Server{h.cfg.Main}, h.cfg.VirtualHosts...) {
		ssl := h.cfg.SSLOf(s)
		if names(ssl.ChainFile) || names(ssl.TicketKeyFile) || names(ssl.CAFile) || names(ssl.CRLFile) || names(ssl.DNFile) ||
			holds(ssl.CAPath) || holds(ssl.CRLPath) || holds(ssl.DNPath) {
			return true
		}
		for _, f := range append(append([]confparse.SSLFile(nil), ssl.CertificateFiles...), ssl.KeyFiles...) {
			if f.Path == path {
				return true
			}
		}
	}
	return false
}

// logTargets are the destinations of a configuration's ErrorLog,
// CustomLog, TransferLog and GlobalLog lines, as written.
func logTargets(cfg *confparse.Config) []string {
	var names []string
	for _, s := range append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...) {
		switch {
		case s.ErrorLog != "":
			names = append(names, s.ErrorLog)
		case s == cfg.Main:
			names = append(names, confparse.DefaultErrorLog)
		}
		for _, l := range s.Logs.Logs {
			names = append(names, l.Target)
		}
	}
	return names
}

// logFile reports whether path is a log file of the configuration: an
// ErrorLog, CustomLog, TransferLog or GlobalLog file of any server.
func (h *Helper) logFile(path string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	cfg := h.cfg
	resolve := func(name string) string {
		if !filepath.IsAbs(name) {
			name = filepath.Join(cfg.Tree.ServerRoot, name)
		}
		return filepath.Clean(name)
	}
	path = filepath.Clean(path)
	for _, n := range logTargets(cfg) {
		if !strings.HasPrefix(n, "|") && !strings.HasPrefix(n, "syslog") && resolve(n) == path {
			return true
		}
	}
	return false
}

// pipedLog reports whether "|"+program is a destination of the
// configuration's ErrorLog, CustomLog, TransferLog or GlobalLog lines,
// and gives the directory it runs in (ServerRoot).
func (h *Helper) pipedLog(program string) (dir string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range logTargets(h.cfg) {
		if n == "|"+program {
			return h.cfg.Tree.ServerRoot, true
		}
	}
	return "", false
}

// take removes the entry of key from m, a map of the helper's, and
// gives it.
func take[V any](h *Helper, m map[uint64]V, key uint64) (V, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := m[key]
	delete(m, key)
	return v, ok
}

// closeThenReply answers request id once c is closed (at once when there
// is nothing to close); the helper answers other requests meanwhile.
func (h *Helper) closeThenReply(id uint64, c io.Closer, ok bool) {
	if !ok {
		h.reply(reply{ID: id})
		return
	}
	go func() {
		c.Close()
		h.reply(reply{ID: id})
	}()
}

// closeEach closes every value of m, at once, and empties it.
func closeEach[V io.Closer](wg *sync.WaitGroup, m map[uint64]V) {
	for id, c := range m {
		delete(m, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Close()
		}()
	}
}

// mapProgram reports whether spec is what a RewriteMap prg: map of the
// configuration runs, with the same user and group.
func (h *Helper) mapProgram(spec rewrite.Program) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range append([]*confparse.Server{h.cfg.Main}, h.cfg.VirtualHosts...) {
		if s.Rewrite == nil {
			continue
		}
		for _, m := range s.Rewrite.Maps {
			if p, ok := m.Program(); ok && slices.Equal(p.Argv, spec.Argv) && p.User == spec.User && p.Group == spec.Group {
				return true
			}
		}
	}
	return false
}

func (h *Helper) reply(r reply, fds ...int) error {
	h.sendMu.Lock()
	defer h.sendMu.Unlock()
	return send(h.Control, r, fds...)
}

// Close is the end of the helper, when the server is gone: its workers
// are killed (they would die with the helper anyway), its piped log
// programs get the end of their input and a moment to finish, and its
// PidFile is removed.
func (h *Helper) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.workers {
		p.Kill()
	}
	var wg sync.WaitGroup
	closeEach(&wg, h.pipes)
	closeEach(&wg, h.programs)
	wg.Wait()
	if h.pidFile != "" && h.ServerPid > 0 {
		server.RemovePidFile(h.pidFile, h.ServerPid)
	}
}
