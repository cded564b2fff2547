//go:build cgo && !nopython

package embedpy

/*
#cgo pkg-config: python3-embed
#cgo CFLAGS: -O2 -Wall -fno-strict-aliasing
#include <locale.h>
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/wsgi"
)

//go:embed bootstrap.py
var bootstrapPy string

// started guards CPython, which a process can initialise only once.
var started atomic.Bool

// Available reports whether this build embeds Python.
const Available = true

// prefetchLimit is the largest body read before a request takes a slot,
// so that slow uploads of small bodies never hold a Python thread.
const prefetchLimit = 64 << 10

// copyLimit is the largest buffered body written while the request still
// holds its slot; larger ones are copied out first so that a slow client
// does not hold a Python thread.
const copyLimit = 64 << 10

// Engine runs WSGI applications in the embedded interpreter.
type Engine struct {
	cfg    Config
	slots  chan *slot
	all    []*slot
	keyIDs map[string]uint32
	tasks  chan func() // run on the thread that initialised Python
	logR   *os.File
	total  atomic.Int64

	mu      sync.Mutex
	interps map[string]int

	closing atomic.Bool
}

// slot is one of the Threads request slots, with its C request state.
type slot struct {
	e      *Engine
	req    *C.gw_req
	handle cgo.Handle
	call   *wsgi.Call
	buf    []byte
	pre    []byte
	hdrs   []wsgi.Header
	keys   keyCache
}

// keyCache remembers the ids of the previous call's environ keys by
// position: the server builds the environ in the same order each time,
// mostly from string constants, so a key whose bytes are the very ones
// of last time needs no map lookup. Holding last time's keys keeps their
// memory from being reused for another string (the callers build keys
// as ordinary, immutable strings), so the same pointer and length are
// the same key.
type keyCache struct {
	keys []string
	ids  []uint32 // 0: not a known key; else its id + 1
}

// id is the id of key at position i of the environ, and whether the C
// side knows it.
func (kc *keyCache) id(e *Engine, i int, key string) (uint32, bool) {
	if kc != nil && i < len(kc.keys) && len(key) == len(kc.keys[i]) && unsafe.StringData(key) == unsafe.StringData(kc.keys[i]) {
		id := kc.ids[i]
		return id - 1, id != 0
	}
	id, ok := e.keyIDs[key]
	if kc != nil {
		for len(kc.keys) <= i {
			kc.keys, kc.ids = append(kc.keys, ""), append(kc.ids, 0)
		}
		kc.keys[i], kc.ids[i] = key, 0
		if ok {
			kc.ids[i] = id + 1
		}
	}
	return id, ok
}

// Start initialises Python with cfg and returns the engine.
func Start(cfg Config) (*Engine, error) {
	if !started.CompareAndSwap(false, true) {
		return nil, errors.New("embedpy: Python is already running in this process")
	}
	if cfg.Threads < 1 {
		cfg.Threads = 1
	}
	if cfg.Log == nil {
		cfg.Log = func(Level, *confparse.Server, string, string, *wsgi.Call) {}
	}
	// A Python thread writing to a closed socket must not kill the
	// server: Python starts without its own signal handlers.
	signal.Ignore(syscall.SIGPIPE)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("embedpy: log socket: %w", err)
	}
	e := &Engine{
		cfg:     cfg,
		slots:   make(chan *slot, cfg.Threads),
		keyIDs:  knownKeys(),
		tasks:   make(chan func()),
		logR:    os.NewFile(uintptr(fds[0]), "gowsgid-python-log"),
		interps: map[string]int{"": 0},
	}
	go e.drainLogs()
	ready := make(chan error)
	go e.pythonMain(fds[1], ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	for i := 0; i < cfg.Threads; i++ {
		s := &slot{e: e}
		s.handle = cgo.NewHandle(s)
		s.req = C.gw_req_new(C.uintptr_t(s.handle), C.int(i+1))
		e.all = append(e.all, s)
		e.slots <- s
	}
	return e, nil
}

// knownKeys maps the environ keys the C side keeps interned to their ids.
func knownKeys() map[string]uint32 {
	var keys **C.char
	n := int(C.gw_known_keys(&keys))
	m := make(map[string]uint32, n)
	for i, k := range unsafe.Slice(keys, n) {
		m[C.GoString(k)] = uint32(i)
	}
	return m
}

// pythonMain initialises Python on a thread it keeps for good: Python's
// main thread, where finalisation must happen too.
func (e *Engine) pythonMain(logFD int, ready chan<- error) {
	runtime.LockOSThread()
	if err := e.initPython(logFD); err != nil {
		ready <- err
		return
	}
	ready <- nil
	for task := range e.tasks {
		task()
	}
}

func (e *Engine) initPython(logFD int) error {
	cfg := e.cfg
	program, home := programName(cfg.Home)
	var cc C.gw_config
	var frees []unsafe.Pointer
	cstr := func(s string) *C.char {
		p := C.CString(s)
		frees = append(frees, unsafe.Pointer(p))
		return p
	}
	defer func() {
		for _, p := range frees {
			C.free(p)
		}
	}()
	cc.program_name = cstr(program)
	if home != "" {
		cc.home = cstr(home)
	}
	cc.optimize = C.int(cfg.Optimize)
	cc.dont_write_bytecode = cbool(cfg.DontWriteBytecode)
	if cfg.HashSeed != "" && cfg.HashSeed != "random" {
		seed, err := strconv.ParseUint(cfg.HashSeed, 10, 32)
		if err != nil {
			return fmt.Errorf("embedpy: WSGIPythonHashSeed %q: %w", cfg.HashSeed, err)
		}
		cc.use_hash_seed = 1
		cc.hash_seed = C.ulong(seed)
	}
	cc.warnings = cstr(strings.Join(cfg.Warnings, "\x00") + "\x00\x00")
	cc.log_fd = C.int(logFD)
	cc.bootstrap = cstr(bootstrapPy)
	cc.settings = cstr(e.settings())
	cc.multithread = cbool(cfg.MultiThread)
	cc.multiprocess = cbool(cfg.MultiProcess)
	cc.run_once = cbool(cfg.RunOnce)
	var errbuf [512]C.char
	if C.gw_init(&cc, &errbuf[0], C.size_t(len(errbuf))) != 0 {
		return fmt.Errorf("embedpy: cannot start Python: %s", C.GoString(&errbuf[0]))
	}
	return nil
}

// settings is the Python literal the bootstrap reads its settings from.
func (e *Engine) settings() string {
	c := e.cfg
	q := strconv.Quote // Go's quoting is valid Python string syntax
	return fmt.Sprintf("{'restrict_stdout': %s, 'restrict_stdin': %s, 'restrict_signal': %s, "+
		"'python_eggs': %s, 'python_path': %s, 'daemon_home': %s, 'process_group': %s, 'maximum_processes': %d, "+
		"'threads_per_process': %d, 'mpm_name': %s}",
		pyBool(c.RestrictStdout), pyBool(c.RestrictStdin), pyBool(c.RestrictSignal),
		q(c.Eggs), q(c.Path), q(c.DaemonHome), q(c.ProcessGroup), c.MaximumProcesses, c.ThreadsPerProcess, q(c.MPMName))
}

// programName picks sys.executable the way mod_wsgi and getpath want it:
// a virtualenv is found through its bin/python (Python then reads its
// pyvenv.cfg), any other home is PyConfig.home; without a home the
// python3 next to the libpython this binary loaded.
func programName(home string) (program, pyHome string) {
	if home != "" {
		if _, err := os.Stat(filepath.Join(home, "pyvenv.cfg")); err == nil {
			return filepath.Join(home, "bin", "python"), ""
		}
		return filepath.Join(home, "bin", "python3"), home
	}
	if lib := C.gw_lib_path(); lib != nil {
		for dir := filepath.Dir(C.GoString(lib)); dir != "/" && dir != "."; dir = filepath.Dir(dir) {
			cand := filepath.Join(dir, "bin", "python3")
			if _, err := os.Stat(cand); err == nil {
				return cand, ""
			}
		}
	}
	return "/usr/bin/python3", ""
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// interpID returns the id of an application group's interpreter.
func (e *Engine) interpID(name string) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if id, ok := e.interps[name]; ok {
		return id, nil
	}
	if len(e.interps) >= int(C.GW_MAX_INTERP) {
		return 0, fmt.Errorf("too many application groups (%d)", len(e.interps))
	}
	id := len(e.interps)
	e.interps[name] = id
	return id, nil
}

// Run runs one request.
func (e *Engine) Run(call *wsgi.Call) (wsgi.Result, error) {
	if e.closing.Load() {
		return wsgi.Result{}, wsgi.ErrUnavailable
	}
	id, err := e.interpID(call.ApplicationGroup)
	if err != nil {
		e.cfg.Log(LevelCrit, call.Server, call.Client, fmt.Sprintf("mod_wsgi (pid=%d): Cannot acquire interpreter '%s'.", os.Getpid(), call.ApplicationGroup), call)
		return wsgi.Result{Status: 500}, nil
	}
	pre, complete := prefetch(call)
	s := <-e.slots
	released := false
	release := func() {
		if !released {
			released = true
			s.call = nil
			e.slots <- s
		}
	}
	defer release()
	s.call = call
	// mod_wsgi.total_requests counts the requests finished before this
	// one (wsgi_utilization_time counts a request at its end).
	s.buf = packCall(s.buf[:0], e, &s.keys, id, call, e.total.Load())
	var preP *C.char
	if len(pre) > 0 {
		preP = (*C.char)(unsafe.Pointer(&pre[0]))
	}
	C.gw_run(s.req, (*C.char)(unsafe.Pointer(&s.buf[0])), C.size_t(len(s.buf)),
		preP, C.size_t(len(pre)), cbool(complete))
	e.total.Add(1)
	req := s.req
	call.ScriptStart = int64(req.script_start)
	if req.result != 0 {
		return wsgi.Result{Status: int(req.result)}, nil
	}
	if req.flags&C.GW_BUFFERED == 0 {
		return wsgi.Result{Incomplete: req.flags&C.GW_FAILED != 0, RaisedAfterBody: req.flags&C.GW_RAISED_SENT != 0}, nil
	}
	status, line, hdrs := s.head()
	body := unsafe.Slice((*byte)(unsafe.Pointer(req.body.p)), int(req.body.len))
	if len(body) > copyLimit {
		body = append([]byte(nil), body...)
		hdrs = append([]wsgi.Header(nil), hdrs...)
		release()
	}
	if len(body) == 0 && e.cfg.ProcessGroup == "" && !hasHeader(hdrs, "Content-Length") {
		// Nothing was written: in embedded mode, Apache's content length
		// filter sees the end of the response alone and sets
		// Content-Length: 0 (mod_wsgi flushes after every block, so it
		// cannot when there is one). A daemon's answer reaches Apache
		// through a socket, which it relays as it comes: chunked.
		hdrs = append(hdrs, wsgi.Header{Name: "Content-Length", Value: "0"})
	}
	resp := call.Response
	if err := resp.Start(status, line, hdrs); err == nil && len(body) > 0 {
		resp.Write(body)
	}
	return wsgi.Result{}, nil
}

// prefetch reads a small body completely before the request takes a slot.
func prefetch(call *wsgi.Call) (pre []byte, complete bool) {
	if call.Body == nil || call.ContentLength == 0 {
		return nil, true
	}
	if call.ContentLength < 0 || call.ContentLength > prefetchLimit || call.BodyOnDemand {
		return nil, false
	}
	pre = make([]byte, call.ContentLength)
	n, err := io.ReadFull(call.Body, pre)
	if err != nil {
		// Let the application see the error when it reads past this.
		return pre[:n], false
	}
	return pre, true
}

// head reads the status and headers the application gave.
func (s *slot) head() (status int, line string, hdrs []wsgi.Header) {
	req := s.req
	line = C.GoStringN(req.status_line.p, C.int(req.status_line.len))
	raw := unsafe.Slice((*byte)(unsafe.Pointer(req.headers.p)), int(req.headers.len))
	hdrs = s.hdrs[:0]
	for len(raw) >= 8 {
		n := int(binary.NativeEndian.Uint32(raw))
		name := headerName(raw[4 : 4+n])
		raw = raw[4+n:]
		v := int(binary.NativeEndian.Uint32(raw))
		hdrs = append(hdrs, wsgi.Header{Name: name, Value: string(raw[4 : 4+v])})
		raw = raw[4+v:]
	}
	if req.flags&C.GW_FILE != 0 && !hasHeader(hdrs, "Content-Length") {
		// The file wrapper's length, as mod_wsgi sets it.
		hdrs = append(hdrs, wsgi.Header{Name: "Content-Length", Value: strconv.FormatInt(int64(req.content_length), 10)})
	}
	s.hdrs = hdrs
	return int(req.status), line, hdrs
}

// hasHeader reports whether the application gave a header (any case).
func hasHeader(hdrs []wsgi.Header, name string) bool {
	for _, h := range hdrs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// headerName returns common header names without allocating.
func headerName(b []byte) string {
	switch string(b) {
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "Set-Cookie":
		return "Set-Cookie"
	case "Cache-Control":
		return "Cache-Control"
	case "Location":
		return "Location"
	case "Vary":
		return "Vary"
	}
	return string(b)
}

// callFlagReload is CALL_RELOAD in shim.c.
const callFlagReload = 1

// packCall encodes a call for gw_run (parse_call in shim.c): the
// interpreter id; the application group, script, module, callable,
// process group and client, each length-prefixed and NUL-terminated; the
// script mtime, the request count and flags; then the environ entries
// (a known key's id with the top bit set, or its length and bytes, then
// the value's length and bytes). kc (nil: none) remembers key ids.
func packCall(b []byte, e *Engine, kc *keyCache, interp int, call *wsgi.Call, total int64) []byte {
	b = binary.NativeEndian.AppendUint32(b, uint32(interp))
	for _, s := range [...]string{call.ApplicationGroup, call.Script, call.Module, call.Callable, call.ProcessGroup, call.Client} {
		b = appendString(b, s)
		b = append(b, 0) // C uses these in place
	}
	b = binary.NativeEndian.AppendUint64(b, uint64(call.ScriptMTime))
	b = binary.NativeEndian.AppendUint64(b, uint64(total))
	var flags uint32
	if call.Reload {
		flags |= callFlagReload
	}
	b = binary.NativeEndian.AppendUint32(b, flags)
	b = binary.NativeEndian.AppendUint32(b, uint32(len(call.Env)))
	for i, kv := range call.Env {
		if id, ok := kc.id(e, i, kv.Key); ok {
			b = binary.NativeEndian.AppendUint32(b, 0x80000000|id)
		} else {
			b = appendString(b, kv.Key)
		}
		b = appendString(b, kv.Value)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.NativeEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Hook runs an authentication hook of call.Script in its interpreter,
// with call's environ: mod_wsgi's WSGIAccessScript, WSGIAuthUserScript and
// WSGIAuthGroupScript.
func (e *Engine) Hook(kind wsgi.HookKind, call *wsgi.Call, args ...string) (wsgi.HookResult, error) {
	if e.closing.Load() {
		return wsgi.HookResult{Verdict: wsgi.VerdictError}, wsgi.ErrUnavailable
	}
	id, err := e.interpID(call.ApplicationGroup)
	if err != nil {
		return wsgi.HookResult{Verdict: wsgi.VerdictError}, err
	}
	cargs := [2]*C.char{}
	for i := 0; i < len(args) && i < 2; i++ {
		cargs[i] = C.CString(args[i])
		defer C.free(unsafe.Pointer(cargs[i]))
	}
	s := <-e.slots
	defer func() {
		s.call = nil
		e.slots <- s
	}()
	s.call = call
	s.buf = packCall(s.buf[:0], e, &s.keys, id, call, e.total.Load())
	C.gw_hook(s.req, (*C.char)(unsafe.Pointer(&s.buf[0])), C.size_t(len(s.buf)), C.int(kind), cargs[0], cargs[1])
	req := s.req
	res := wsgi.HookResult{Verdict: wsgi.VerdictError}
	body := C.GoStringN(req.body.p, C.int(req.body.len))
	switch n := int(req.result); {
	case n == C.GW_HOOK_ERROR:
	case kind == wsgi.HookGroups:
		res.Verdict = wsgi.VerdictYes
		if n > 0 {
			res.Groups = strings.Split(strings.TrimSuffix(body, "\x00"), "\x00")
		}
	case n == C.GW_HOOK_RENAMED:
		res.Verdict, res.User = wsgi.VerdictYes, body
	case n == C.GW_HOOK_YES:
		res.Verdict = wsgi.VerdictYes
	case n == C.GW_HOOK_NO:
		res.Verdict = wsgi.VerdictNo
	case n == C.GW_HOOK_DECLINED:
		res.Verdict = wsgi.VerdictNone
	}
	return res, nil
}

// Import loads a script into its interpreter (WSGIImportScript). Errors
// are logged, as mod_wsgi logs them.
func (e *Engine) Import(im Import) error {
	id, err := e.interpID(im.ApplicationGroup)
	if err != nil {
		return err
	}
	call := &wsgi.Call{ApplicationGroup: im.ApplicationGroup, ProcessGroup: im.ProcessGroup,
		Script: im.Script, Module: im.Module}
	if fi, err := os.Stat(im.Script); err == nil {
		call.ScriptMTime = fi.ModTime().UnixMicro()
	}
	buf := packCall(nil, e, nil, id, call, 0)
	done := make(chan C.int)
	e.tasks <- func() {
		done <- C.gw_import((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	}
	if <-done != 0 {
		return fmt.Errorf("embedpy: cannot import %s", im.Script)
	}
	return nil
}

// ProbeGIL takes the main interpreter's GIL and releases it: the
// daemon deadlock timer's probe. It must be called from a locked OS
// thread that runs nothing else.
func (e *Engine) ProbeGIL() { C.gw_probe_gil() }

// StackTraces returns the lines mod_wsgi's daemon process logs for the
// stack of every thread running Python code (its dump when
// request-timeout stops the process): "Thread N executing file ...",
// then "called from file ..." for each outer frame. It takes the main
// interpreter's GIL from a thread of its own, so it waits while another
// thread holds the GIL.
func (e *Engine) StackTraces() []string {
	text := make(chan string, 1)
	go func() {
		// Never unlocked: the thread ends with the goroutine, and with
		// it the Python thread state made for it.
		runtime.LockOSThread()
		p := C.gw_dump_stacks()
		if p == nil {
			text <- ""
			return
		}
		defer C.free(unsafe.Pointer(p))
		text <- C.GoString(p)
	}()
	lines := strings.TrimSuffix(<-text, "\n")
	if lines == "" {
		return nil
	}
	return strings.Split(lines, "\n")
}

// SetLocale is setlocale(LC_ALL, name), which a daemon process's locale=
// makes before Python starts; false when the C library has no such
// locale.
func SetLocale(name string) bool {
	c := C.CString(name)
	defer C.free(unsafe.Pointer(c))
	return C.setlocale(C.LC_ALL, c) != nil
}

// SetThreadStackSize makes size bytes the stack of every thread created
// from now on, those that run requests included (mod_wsgi's
// stack-size); call it before Start.
func SetThreadStackSize(size int64) error {
	if rc := C.gw_set_thread_stack_size(C.size_t(size)); rc != 0 {
		return fmt.Errorf("embedpy: stack size %d: %w", size, syscall.Errno(rc))
	}
	return nil
}

// Close waits up to timeout for running requests, then, with
// DestroyInterpreter, runs every interpreter's atexit callbacks. The
// engine runs no requests afterwards; Python is not restarted.
func (e *Engine) Close(timeout time.Duration) error {
	if !e.closing.CompareAndSwap(false, true) {
		return nil
	}
	deadline := time.After(timeout)
	for range e.all {
		select {
		case <-e.slots:
		case <-deadline:
			return errors.New("embedpy: requests still running; Python left as it is")
		}
	}
	done := make(chan struct{})
	e.tasks <- func() {
		C.gw_finalize(cbool(e.cfg.DestroyInterpreter))
		close(done)
	}
	<-done
	return nil
}

// drainLogs writes the log records of threads that are not serving a
// request (Python threads, start-up) to the error log.
func (e *Engine) drainLogs() {
	buf := make([]byte, 2+80+8192)
	for {
		n, err := e.logR.Read(buf)
		if err != nil {
			return
		}
		if n < 2 {
			continue
		}
		cl := int(buf[1])
		if 2+cl > n {
			continue
		}
		e.cfg.Log(Level(buf[0]), nil, string(buf[2:2+cl]), string(buf[2+cl:n]), nil)
	}
}
