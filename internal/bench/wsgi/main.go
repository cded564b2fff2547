// Command wsgi measures WSGI serving. Every server runs one WSGI
// application file, and the load generator (internal/bench/loadgen)
// drives each case against each server with the same keep-alive
// connections, one server at a time, the servers taking turns within
// each case. It prints requests per second and p99 latency per server
// and case, the ratios the issues set targets for, and the memory of
// the processes that run the application.
//
// -mode embedded (issue 5, the default): gowsgid in embedded mode
// against Apache httpd + mod_wsgi in embedded mode, uWSGI (serving HTTP
// itself), gunicorn (gthread) and waitress, sized for the machine's cores
// as their documentation advises, and a bare Go net/http handler
// returning the same bytes. Targets: gowsgid over the best Python peer at
// least 3x on hello-world, 2x on the 64 KiB response and the 1 KiB echo;
// gowsgid over bare Go at least 80%.
//
// -mode daemon (issue 6): gowsgid and Apache + mod_wsgi each with one
// WSGIDaemonProcess group of -processes processes and -threads threads,
// uWSGI and gunicorn with as many processes and threads. Targets:
// gowsgid over Apache daemon mode at least 3x, over the better of uWSGI
// and gunicorn at least 1.3x, on every case.
//
// gowsgid and Apache read one configuration file (the port comes from
// the environment, ${BENCH_PORT}); the table says how each server ran.
// Run it with make bench, which installs the peers and builds
// bin/gowsgid.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

// allServers are the servers this program can start.
const allServers = "gowsgid,apache,uwsgi,gunicorn,waitress,go"

func main() {
	gowsgid := flag.String("gowsgid", "bin/gowsgid", "the gowsgid binary")
	python := flag.String("python", "/usr/bin/python3", "the Python that runs gunicorn and waitress (Debian's, which has them)")
	conns := flag.Int("c", 16, "concurrent keep-alive connections")
	duration := flag.Duration("d", 5*time.Second, "measured time of each case on each server")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time before each measurement")
	modeName := flag.String("mode", "embedded", "embedded (issue 5) or daemon (issue 6)")
	processes := flag.Int("processes", 2, "daemon mode: processes of the daemon group, and of uWSGI and gunicorn")
	threads := flag.Int("threads", 8, "daemon mode: threads of each of those processes")
	only := flag.String("servers", "", "servers to measure, comma-separated (default: the mode's; all: "+allServers+")")
	procs := flag.Int("procs", 0, "GOMAXPROCS of the load generator (0: Go's default)")
	bareGo := flag.String(bareGoFlag, "", "internal: serve as the bare Go server on this address")
	flag.Parse()
	if *bareGo != "" {
		if err := serveBareGo(*bareGo); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	var m mode
	switch *modeName {
	case "embedded":
		m = embeddedMode(runtime.NumCPU(), *conns)
	case "daemon":
		m = daemonMode(max(*processes, 1), max(*threads, 1))
	default:
		fmt.Fprintf(os.Stderr, "bench: -mode %q: want embedded or daemon\n", *modeName)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := bench{gowsgid: *gowsgid, python: *python, mode: m}
	load := loadgen.Options{Conns: *conns, Duration: *duration, Warmup: *warmup}
	if err := b.run(ctx, m.serverList(*only), load); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench is one run's settings.
type bench struct {
	gowsgid, python string
	mode            mode
}

// run writes the application, starts the servers, measures and prints
// the table; the servers are stopped and the directory removed however
// it ends.
func (b bench) run(ctx context.Context, names []string, load loadgen.Options) error {
	dir, err := os.MkdirTemp("", "bench-wsgi-")
	if err != nil {
		return fmt.Errorf("making the bench directory: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // Apache's children run unprivileged under root
		return fmt.Errorf("making the bench directory readable: %w", err)
	}
	if err := writeApp(dir); err != nil {
		return err
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for _, name := range names {
		s, err := b.startServer(ctx, name, dir)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	results, err := measure(ctx, servers, load)
	if err != nil {
		return err
	}
	mem := map[string]memory{}
	for _, s := range servers {
		mem[s.Name] = s.memory()
	}
	printTable(os.Stdout, b.mode, servers, results, load)
	printMemory(os.Stdout, servers, mem)
	return nil
}

// startServer starts one server by name.
func (b bench) startServer(ctx context.Context, name, dir string) (*server, error) {
	switch name {
	case "gowsgid":
		return startHTTPDConf(ctx, name, dir, b.gowsgid, b.mode)
	case "apache":
		return startHTTPDConf(ctx, name, dir, "apache2", b.mode)
	case "uwsgi":
		return startUWSGI(ctx, dir, b.mode.sizes)
	case "gunicorn":
		return startGunicorn(ctx, dir, b.python, b.mode.sizes)
	case "waitress":
		return startWaitress(ctx, dir, b.python, b.mode.sizes)
	case "go":
		return startBareGo(ctx)
	}
	return nil, fmt.Errorf("unknown server %q (%s)", name, allServers)
}

// results are the measurements by case name, then server name.
type results map[string]map[string]*loadgen.Result

// measure runs every case against every server, one server at a time.
// The servers take turns within each case, so a drift of the machine
// over the run touches all of them alike. Each case is probed on each
// server before it is loaded.
func measure(ctx context.Context, servers []*server, load loadgen.Options) (results, error) {
	out := results{}
	for _, c := range cases {
		out[c.name] = map[string]*loadgen.Result{}
		for _, s := range servers {
			res, err := measureOne(ctx, c, s, load)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "%-10s %-8s %v, %v CPU each\n", c.name, s.Name, res, res.CPUPerResponse())
			out[c.name][s.Name] = res
		}
	}
	return out, nil
}

// measureOne probes and then loads one case on one server.
func measureOne(ctx context.Context, c benchCase, s *server, load loadgen.Options) (*loadgen.Result, error) {
	if err := c.probe(s); err != nil {
		return nil, err
	}
	load.Addr, load.Request, load.CPU = s.addr, c.request, s.CPUTime
	res, err := loadgen.Run(ctx, load)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err := c.check(s, res); err != nil {
		return nil, err
	}
	return res, nil
}
