package rewrite

import (
	"bufio"
	"io"
	"strings"
	"sync"
)

// Program is what a prg: map runs: the program and its arguments, split
// as apr_tokenize_to_argv splits them, the program's path resolved
// against ServerRoot; and the user and group it runs as ("" for the
// server's own, which is root's when the server was started as root).
type Program struct {
	Argv        []string
	User, Group string
}

// Program reports what m runs, for a prg: map.
func (m *Map) Program() (Program, bool) {
	return m.program, m.kind == mapPrg
}

// Connect gives a prg: map its running program: each lookup writes the
// key and a newline to in, then reads the answer up to a newline from
// out. Until it is connected (mod_rewrite starts no program for a server
// whose RewriteEngine is off) the map finds nothing.
func (m *Map) Connect(in io.Writer, out io.Reader) {
	m.conn.Store(&programConn{in: in, out: bufio.NewReader(out)})
}

// programConn is the conversation with a prg: map's program. Lookups
// take turns, as mod_rewrite's take its global mutex: one key, then its
// answer. What the program writes past the answer's newline stays for
// the next lookup, as it stays in the pipe for mod_rewrite, which reads
// a byte at a time.
type programConn struct {
	mu  sync.Mutex
	in  io.Writer
	out *bufio.Reader
}

// lookup is lookup_map_program. A key with a newline is not sent (it
// would put the program out of step) and finds nothing; an answer of
// "NULL", in any case, finds nothing; a program that has gone away
// answers the empty string, which is a value: the default is not used.
// The answer is a C string: it ends at a NUL byte.
func (p *programConn) lookup(key string) (string, bool) {
	if p == nil || strings.IndexByte(key, '\n') >= 0 {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// mod_rewrite ignores a failed write too: the read then sees the
	// program's end.
	io.WriteString(p.in, key+"\n")
	answer, _ := p.out.ReadString('\n')
	answer = strings.TrimSuffix(answer, "\n")
	if len(answer) == 4 && strings.EqualFold(answer, "NULL") {
		return "", false
	}
	if nul := strings.IndexByte(answer, 0); nul >= 0 {
		answer = answer[:nul]
	}
	return answer, true
}
