package wsgi

import (
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

// EmbeddedPython are the interpreter settings of embedded mode.
func EmbeddedPython(cfg *confparse.Config) PythonSettings {
	w := cfg.WSGI
	return PythonSettings{Home: w.PythonHome, Path: w.PythonPath, Eggs: w.PythonEggs,
		HashSeed: w.PythonHashSeed, Optimize: w.PythonOptimize, Warnings: w.PythonWarnings,
		DontWriteBytecode: w.DontWriteBytecode, RestrictStdin: w.RestrictStdin,
		RestrictStdout: w.RestrictStdout, RestrictSignal: w.RestrictSignal,
		DestroyInterpreter: w.DestroyInterpreter}
}

// GroupOptionsFor resolves a WSGIDaemonProcess line into the options of
// its Group, with mod_wsgi's defaults. The caller sets Executable, Args,
// ErrorLog and Log.
func GroupOptionsFor(cfg *confparse.Config, d *confparse.WSGIDaemon) (GroupOptions, error) {
	o := d.Options
	// mod_wsgi reads each number with C's atoi ("5x" is 5), and the
	// memory limits with apr_atoi64.
	num := func(name string, def int) int {
		if v, ok := o[name]; ok {
			return confparse.Atoi(v)
		}
		return def
	}
	num64 := func(name string) int64 {
		if v, ok := o[name]; ok {
			return confparse.Atoi64(v)
		}
		return 0
	}
	secs := func(name string, def int) time.Duration {
		return time.Duration(num(name, def)) * time.Second
	}
	_, processesSet := o["processes"]
	g := GroupOptions{
		Name: d.Name, Processes: num("processes", 1), Threads: num("threads", 15),
		ProcessesSet: processesSet, QueueTimeout: secs("queue-timeout", 0),
		ConnectTimeout:   secs("connect-timeout", 15),
		SocketTimeout:    secs("socket-timeout", 0),
		HeaderBufferSize: num("header-buffer-size", 0), ResponseBufferSize: num("response-buffer-size", 0),
		ListenBacklog:  num("listen-backlog", 100),
		SendBufferSize: num("send-buffer-size", 0), ReceiveBufferSize: num("receive-buffer-size", 0),
	}
	if g.SocketTimeout == 0 {
		g.SocketTimeout = time.Duration(mainInt(cfg, 60, "Timeout")) * time.Second
	}
	if g.HeaderBufferSize == 0 {
		g.HeaderBufferSize = 32768
	}
	if g.ResponseBufferSize == 0 {
		g.ResponseBufferSize = 65536
	}
	if dn, ok := o["display-name"]; ok {
		g.DisplayName = strings.ReplaceAll(dn, "%{GROUP}", "(wsgi:"+d.Name+")")
	}
	py := EmbeddedPython(cfg)
	py.Path = o["python-path"] // WSGIPythonPath is embedded mode's only
	if v, ok := o["python-home"]; ok {
		py.Home = v
	}
	py.Eggs = o["python-eggs"]
	py.DaemonHome = o["home"]
	g.Worker = WorkerConfig{Group: d.Name, Processes: g.Processes, Threads: g.Threads,
		ProcessesSet: processesSet, MaximumRequests: num("maximum-requests", 0),
		GracefulTimeout: secs("graceful-timeout", 15), ShutdownTimeout: secs("shutdown-timeout", 5),
		EvictionTimeout:   secs("eviction-timeout", 0),
		InactivityTimeout: secs("inactivity-timeout", 0), RequestTimeout: secs("request-timeout", 0),
		StartupTimeout: secs("startup-timeout", 0), RestartInterval: secs("restart-interval", 0),
		DeadlockTimeout: secs("deadlock-timeout", 300),
		Limits: ProcessLimits{MemoryLimit: num64("memory-limit"),
			VirtualMemoryLimit: num64("virtual-memory-limit"),
			CPUTimeLimit:       int64(num("cpu-time-limit", 0)), StackSize: int64(num("stack-size", 0)),
			CPUPriority: num("cpu-priority", 0)},
		Umask: o["umask"], Python: py, KeepScriptCase: cfg.WSGI.KeepScriptCase}
	g.Worker.Home = o["home"]
	g.Worker.ErrorLog = workerLogFor(cfg, d)
	for _, im := range cfg.WSGI.ImportScripts {
		if im.ProcessGroup == d.Name {
			g.Worker.Imports = append(g.Worker.Imports, WorkerImport{Script: im.Script, ApplicationGroup: im.ApplicationGroup})
		}
	}
	env, home, err := g.identity(cfg, o)
	if err != nil {
		return g, err
	}
	if v, ok := o["lang"]; ok {
		env = setEnviron(env, "LANG", v)
	}
	if v, ok := o["locale"]; ok {
		env = setEnviron(env, "LC_ALL", v)
		g.Worker.Locale = v
	}
	if home != "" {
		env = setEnviron(env, "HOME", home)
	}
	g.Env = env
	if root, ok := o["chroot"]; ok {
		// The worker takes its user itself, after chroot(2): see Jail.
		_, given := o["supplementary-groups"]
		j := &Jail{Root: root, Credential: g.Credential, GroupsGiven: given}
		if j.Credential != nil {
			if u, err := user.LookupId(strconv.Itoa(int(j.Credential.Uid))); err == nil {
				j.User = u.Username
			}
		}
		g.Worker.Jail = j
		g.Credential = nil
	}
	return g, nil
}

// identity is who the workers run as: user= and group=, else the
// server's User and Group, each on its own (user= keeps the server's
// Group, as in mod_wsgi); only root can switch. The supplementary groups
// are supplementary-groups= after the group, else what initgroups(3)
// gives the user with that group. It returns the environment and the
// user's home directory.
func (g *GroupOptions) identity(cfg *confparse.Config, o map[string]string) ([]string, string, error) {
	env := os.Environ()
	if os.Geteuid() != 0 {
		return env, "", nil
	}
	uid, gid := cfg.UserID, cfg.GroupID
	name := cfg.User
	if v, ok := o["user"]; ok {
		u, err := lookupUser(v)
		if err != nil {
			return nil, "", fmt.Errorf("WSGIDaemonProcess %s: %w", g.Name, err)
		}
		name, uid = u.Username, atoi(u.Uid)
		if cfg.Group == "" {
			// No Group to keep (Apache's would be #-1, which no
			// process can take): the user's own.
			gid = atoi(u.Gid)
		}
	}
	if v, ok := o["group"]; ok {
		grp, err := lookupGroup(v)
		if err != nil {
			return nil, "", fmt.Errorf("WSGIDaemonProcess %s: %w", g.Name, err)
		}
		gid = atoi(grp.Gid)
	}
	if cfg.User == "" && o["user"] == "" {
		return env, "", nil // no User: the workers keep the server's identity
	}
	if uid == 0 {
		return nil, "", fmt.Errorf("WSGI process blocked from running as root.")
	}
	g.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if v, ok := o["supplementary-groups"]; ok {
		g.Credential.Groups = []uint32{uint32(gid)}
		for _, name := range strings.Split(v, ",") {
			grp, err := lookupGroup(strings.TrimSpace(name))
			if err != nil {
				return nil, "", fmt.Errorf("WSGIDaemonProcess %s: supplementary-groups: %w", g.Name, err)
			}
			g.Credential.Groups = append(g.Credential.Groups, uint32(atoi(grp.Gid)))
		}
	}
	home := ""
	u, err := user.LookupId(strconv.Itoa(uid))
	if _, ok := o["supplementary-groups"]; !ok && err == nil {
		for _, id := range initGroups(u.Username, gid) {
			g.Credential.Groups = append(g.Credential.Groups, uint32(id))
		}
	}
	if err == nil {
		home = u.HomeDir
		if g.Worker.Home == "" && name != cfg.User {
			// mod_wsgi's daemon changes to its user's home directory
			// (looked up after any chroot).
			g.Worker.HomeFromPasswd = true
		}
		// mod_wsgi corrects the names the server's environment has,
		// and adds none it lacks.
		for _, key := range []string{"USER", "USERNAME", "LOGNAME"} {
			if _, ok := lookupEnviron(env, key); ok {
				env = setEnviron(env, key, u.Username)
			}
		}
	}
	return env, home, nil
}

func lookupUser(v string) (*user.User, error) {
	if strings.HasPrefix(v, "#") {
		return user.LookupId(v[1:])
	}
	return user.Lookup(v)
}

func lookupGroup(v string) (*user.Group, error) {
	if strings.HasPrefix(v, "#") {
		return user.LookupGroupId(v[1:])
	}
	return user.LookupGroup(v)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// lookupEnviron is the value of a variable of an environment list.
func lookupEnviron(env []string, key string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// setEnviron sets a variable of an environment list.
func setEnviron(env []string, key, value string) []string {
	prefix := key + "="
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return append(out, prefix+value)
}

// workerLogFor is how the workers of d write their error log lines: in
// the ErrorLogFormat of the server that defined the group, as mod_wsgi's
// daemons log through that server.
func workerLogFor(cfg *confparse.Config, d *confparse.WSGIDaemon) WorkerLog {
	s := d.Server
	if s == nil {
		s = cfg.Main
	}
	wl := serverLogFor(cfg, s)
	// mod_wsgi's daemon takes its connection's local address from the
	// Unix socket it accepted the request on, read as an IPv4 one: the
	// bytes 2 to 5 of the socket's path (Debian's default prefix is
	// /var/run/apache2/wsgi), with the port of the listener.
	prefix := "/var/run/apache2/wsgi"
	if cfg.WSGI.SocketPrefix != "" {
		prefix = cfg.RootRelative(cfg.WSGI.SocketPrefix)
	}
	if len(prefix) >= 6 {
		wl.LocalIP = fmt.Sprintf("%d.%d.%d.%d", prefix[2], prefix[3], prefix[4], prefix[5])
	}
	return wl
}

// serverLogFor is server s's ErrorLogFormat and name, as a worker
// writes them.
func serverLogFor(cfg *confparse.Config, s *confparse.Server) WorkerLog {
	f := cfg.ErrorLogFormatsOf(s)
	var wl WorkerLog
	if f.Main != nil {
		wl.Format = &f.Main.Text
	}
	for _, c := range f.Conn {
		wl.Conn = append(wl.Conn, c.Text)
	}
	wl.Server = s.Hostname
	if wl.Server == "" && cfg.Main != nil {
		wl.Server = cfg.Main.Hostname
	}
	return wl
}

// SetServerLogs hands the workers the error log of each server whose
// requests group d may serve (mod_wsgi's rule: every server for a group
// of the main server, the virtual hosts of its server name for a group
// of a virtual host). logOf is a server's log file and its LogLevel for
// mod_wsgi; a server logging to syslog (no file) has its request lines
// written to the group's ErrorLog. Call it after ErrorLog is set.
func (g *GroupOptions) SetServerLogs(cfg *confparse.Config, d *confparse.WSGIDaemon,
	logOf func(s *confparse.Server) (file *os.File, level string)) {
	g.Worker.ServerLogs, g.ServerLogFiles = nil, nil
	g.logIndex, g.logByKey = map[*confparse.Server]int{}, map[string]int{}
	logFor := func(s *confparse.Server) WorkerLog {
		file, level := logOf(s)
		wl := serverLogFor(cfg, s)
		wl.LocalIP, wl.Level, wl.FD = g.Worker.ErrorLog.LocalIP, level, 4
		if file != nil && file != g.ErrorLog {
			i := slices.Index(g.ServerLogFiles, file)
			if i < 0 {
				i = len(g.ServerLogFiles)
				g.ServerLogFiles = append(g.ServerLogFiles, file)
			}
			wl.FD = 5 + i
		}
		return wl
	}
	for _, s := range append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...) {
		if s == nil || !groupServes(cfg.Main, d, s) {
			continue
		}
		g.logIndex[s] = len(g.Worker.ServerLogs)
		g.logByKey[serverKey(s)] = len(g.Worker.ServerLogs)
		g.Worker.ServerLogs = append(g.Worker.ServerLogs, logFor(s))
	}
	// mod_wsgi's daemon logs its start and set-up through the main
	// server, and only then through the group's.
	start := logFor(cfg.Main)
	g.Worker.StartLog = &start
}

// serverKey names a server across configurations: its name and
// addresses (nil: "").
func serverKey(s *confparse.Server) string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(s.Hostname)
	for _, a := range s.Addrs {
		fmt.Fprintf(&b, " %v", a)
	}
	return b.String()
}
