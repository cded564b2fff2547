package pemkey

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
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
