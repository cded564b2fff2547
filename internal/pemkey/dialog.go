package pemkey

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"unsafe"

	"github.com/gowsgid/gowsgid/internal/aprargv"
)

// maxPassPhrase is mod_ssl's MAX_STRING_LEN less the NUL: the most of a
// pass phrase program's line it reads.
const maxPassPhrase = 8191

// ReadFilter runs the program of "SSLPassPhraseDialog exec:" as mod_ssl's
// ssl_util_readfilter runs it: with args, in the program's directory,
// with an empty environment and its standard streams on pipes, and
// returns what it prints up to its first newline or carriage return
// (at most 8191 bytes). The program is not waited for: it is reaped
// when it ends.
func ReadFilter(program string, args []string) (string, error) {
	cmd := exec.Command(program, args...)
	cmd.Dir = filepath.Dir(program)
	cmd.Env = []string{}
	cmd.Stderr = io.Discard
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	var line []byte
	r := bufio.NewReader(stdout)
	for len(line) < maxPassPhrase {
		c, err := r.ReadByte()
		if err != nil || c == '\n' || c == '\r' {
			break
		}
		line = append(line, c)
	}
	stdout.Close()
	stdin.Close()
	go cmd.Wait()
	return string(line), nil
}

// maxAnswer is the most of a dialog's line taken as one pass phrase:
// OpenSSL's PEM_BUFSIZE less the NUL. The rest of a longer line is the
// next answer, as apr_file_gets leaves it.
const maxAnswer = 1023

// Dialog asks for pass phrases as mod_ssl's builtin and piped dialogs
// ask ("SSLPassPhraseDialog builtin" and "|program"): it writes
// mod_ssl's prompts and messages to one side and reads a line per
// prompt from the other.
type Dialog struct {
	out    io.Writer     // prompts and messages
	in     io.ByteReader // answers
	echo   io.Writer     // the line end after each answer
	noEcho func() func() // turns a terminal's echo off; the result turns it back on
	close  func()
}

// OpenPipe starts the program of "SSLPassPhraseDialog |command" as
// mod_ssl's ssl_pipe_child_create does: the command line split as
// apr_tokenize_to_argv splits it, its first word run as given (no
// search of PATH), in the server's directory, with an empty environment,
// its standard input and output on pipes and its standard error the
// server's. Closing the dialog closes the pipes; the program is reaped
// when it ends.
func OpenPipe(command string) (*Dialog, error) {
	argv := aprargv.Tokenize(command)
	if len(argv) == 0 {
		return nil, errors.New("no program")
	}
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Env: []string{}, Stderr: os.Stderr}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Dialog{out: stdin, in: bufio.NewReader(stdout), echo: stdin, close: func() {
		stdin.Close()
		stdout.Close()
		go cmd.Wait()
	}}, nil
}

// Terminal is where the builtin dialog asks: the process's controlling
// terminal when it has one, else its standard streams.
type Terminal struct {
	// TTY is the controlling terminal's path ("/dev/tty"), tried first;
	// "": none is tried.
	TTY      string
	In       *os.File
	Out, Err io.Writer
}

// IsTerminal reports whether w is a terminal (a file a TCGETS answers).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return e == 0
}

// Open is mod_ssl's builtin dialog: prompts and messages go to
// stdout, and the answers come, as OpenSSL's EVP_read_pw_string reads
// them, from the process's controlling terminal with its echo off (the
// line end after each answer written there), or, when it has none, from
// stdin (the line end then goes to stderr).
func (t *Terminal) Open() *Dialog {
	d := &Dialog{out: t.Out}
	if t.TTY != "" {
		if tty, err := os.OpenFile(t.TTY, os.O_RDWR, 0); err == nil {
			d.answerFrom(tty, tty, func() { tty.Close() })
			return d
		}
	}
	d.answerFrom(t.In, t.Err, func() {})
	return d
}

// answerFrom reads the answers from in, a byte at a time so that what
// follows an answer stays there for the next key's dialog (or whatever
// else reads stdin), with in's echo off when it is a terminal, and
// writes the line end after each to echo.
func (d *Dialog) answerFrom(in *os.File, echo io.Writer, close func()) {
	d.in, d.echo, d.close = unbuffered{in}, echo, close
	d.noEcho = func() func() { return echoOff(in) }
}

// unbuffered reads a byte at a time, leaving the rest in the file.
type unbuffered struct{ f *os.File }

func (u unbuffered) ReadByte() (byte, error) {
	var b [1]byte
	for {
		n, err := u.f.Read(b[:])
		if n == 1 {
			return b[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// echoOff turns f's echo off when it is a terminal, and returns what
// turns it back on.
func echoOff(f *os.File) func() {
	var t syscall.Termios
	fd := f.Fd()
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t))); e != 0 {
		return func() {}
	}
	quiet := t
	quiet.Lflag &^= syscall.ECHO
	syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&quiet)))
	return func() { syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&t))) }
}

// Printf writes one of mod_ssl's messages to the dialog. A program that
// went away is not written to; the next answer finds it gone.
func (d *Dialog) Printf(format string, args ...any) {
	fmt.Fprintf(d.out, format, args...)
}

// Ask prompts "Enter pass phrase:" and returns the line answered, without
// its line end, asking again (with mod_ssl's message) after an empty one.
// It fails when the other side closes before a line comes.
func (d *Dialog) Ask() (string, error) {
	for {
		io.WriteString(d.out, "Enter pass phrase:")
		restore := func() {}
		if d.noEcho != nil {
			restore = d.noEcho()
		}
		line, err := d.readLine()
		restore()
		io.WriteString(d.echo, "\n")
		if err != nil {
			return "", err
		}
		if line != "" {
			return line, nil
		}
		io.WriteString(d.out, "Apache:mod_ssl:Error: Pass phrase empty (needs to be at least 1 character).\n")
	}
}

// readLine reads up to a line end or maxAnswer bytes; a line cut off by
// the end of input is no answer.
func (d *Dialog) readLine() (string, error) {
	var line []byte
	for len(line) < maxAnswer {
		c, err := d.in.ReadByte()
		if err != nil {
			return "", err
		}
		if c == '\n' {
			break
		}
		line = append(line, c)
	}
	return string(line), nil
}

// Close ends the dialog: a program's pipes are closed.
func (d *Dialog) Close() {
	d.close()
}
