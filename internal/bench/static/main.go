// Command static measures static file serving: gowsgid, Apache httpd
// (event MPM) and nginx serve the same document root in the same run,
// and the load generator (internal/bench/loadgen) drives each case
// against each server in turn with the same keep-alive connections, for
// a few rounds (-rounds, -d). It prints each server's median round:
// requests per second, p99 latency and the ratios
// gowsgid/Apache and gowsgid/nginx, with issue 3's targets: at least
// Apache's requests/s on every case and at least 80% of nginx's.
//
// gowsgid and Apache read one configuration file (the port comes from
// the environment, ${BENCH_PORT}); nginx gets the equivalent server
// block. All three keep connections open without a request limit, log no
// accesses and use sendfile. Run it with make bench, which installs
// Apache and nginx and builds bin/gowsgid.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

func main() {
	gowsgid := flag.String("gowsgid", "bin/gowsgid", "the gowsgid binary")
	conns := flag.Int("c", 16, "concurrent keep-alive connections")
	duration := flag.Duration("d", 3*time.Second, "measured time of each round of a case on a server")
	rounds := flag.Int("rounds", 3, "rounds of each case on each server; the median round is shown")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time before each measurement")
	only := flag.String("servers", "gowsgid,apache,nginx", "servers to measure, comma-separated")
	procs := flag.Int("procs", 0, "GOMAXPROCS of the load generator (0: Go's default)")
	flag.Parse()
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	load := loadgen.Options{Conns: *conns, Duration: *duration, Warmup: *warmup}
	if err := run(ctx, *gowsgid, strings.Split(*only, ","), load, max(*rounds, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, gowsgid string, names []string, load loadgen.Options, rounds int) error {
	dir, err := os.MkdirTemp("", "bench-static-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // Apache's and nginx's workers run as nobody under root
		return err
	}
	if err := writeDocroot(filepath.Join(dir, "htdocs")); err != nil {
		return err
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for _, name := range names {
		s, err := startServer(ctx, name, dir, gowsgid)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	results, err := measure(ctx, servers, load, rounds)
	if err != nil {
		return err
	}
	printTable(os.Stdout, servers, results, load, rounds)
	return nil
}

// startServer starts one server by name.
func startServer(ctx context.Context, name, dir, gowsgid string) (*server, error) {
	switch name {
	case "gowsgid":
		return startHTTPDConf(ctx, name, dir, gowsgid)
	case "apache":
		return startHTTPDConf(ctx, name, dir, "apache2")
	case "nginx":
		return startNginx(ctx, dir)
	}
	return nil, fmt.Errorf("unknown server %q (gowsgid, apache, nginx)", name)
}

// measure runs every case against every server, rounds times, and keeps
// each server's median round. Within a round the servers take turns, and
// each round starts with the next server, so a passing burst of other work
// on the machine touches all of them alike.
func measure(ctx context.Context, servers []*server, load loadgen.Options, rounds int) (map[string]map[string]*loadgen.Result, error) {
	out := map[string]map[string]*loadgen.Result{}
	for _, c := range cases {
		reqs := map[string][]byte{}
		for _, s := range servers {
			req, err := c.request(s)
			if err != nil {
				return nil, err
			}
			reqs[s.Name] = req
		}
		all := map[string][]*loadgen.Result{}
		for round := 0; round < rounds; round++ {
			for i := range servers {
				s := servers[(round+i)%len(servers)]
				res, err := runCase(ctx, c, s, reqs[s.Name], load)
				if err != nil {
					return nil, err
				}
				all[s.Name] = append(all[s.Name], res)
			}
		}
		out[c.name] = map[string]*loadgen.Result{}
		for name, rs := range all {
			out[c.name][name] = median(rs)
		}
	}
	return out, nil
}

// runCase loads one case on one server and checks every answer.
func runCase(ctx context.Context, c benchCase, s *server, req []byte, load loadgen.Options) (*loadgen.Result, error) {
	o := load
	o.Addr, o.Request, o.CPU = s.addr, req, s.CPUTime
	res, err := loadgen.Run(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if res.Errors > 0 || res.ByStatus[c.status] != res.Responses {
		return nil, fmt.Errorf("%s on %s: want only status %d: %v", c.name, s.Name, c.status, res)
	}
	fmt.Fprintf(os.Stderr, "%-8s %-8s %v, %v CPU each\n", c.name, s.Name, res, res.CPUPerResponse())
	return res, nil
}

// median is the result with the median requests/s.
func median(rs []*loadgen.Result) *loadgen.Result {
	sorted := append([]*loadgen.Result(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].RPS() < sorted[j].RPS() })
	return sorted[len(sorted)/2]
}

// printTable prints requests/s, p99 and the ratios of gowsgid to the
// others, and whether each case meets the targets.
func printTable(f *os.File, servers []*server, results map[string]map[string]*loadgen.Result, load loadgen.Options, rounds int) {
	fmt.Fprintf(f, "static files: %d keep-alive connections; median of %d rounds of %v (after %v warm-up) per case and server\n",
		load.Conns, rounds, load.Duration, load.Warmup)
	fmt.Fprintf(f, "machine: %d CPUs shared by the servers and the load generator; load average at the end: %s\n",
		runtime.NumCPU(), loadAverage())
	tw := tabwriter.NewWriter(f, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "case\t")
	for _, s := range servers {
		fmt.Fprintf(tw, "%s req/s\t%s p99\t", s.Name, s.Name)
	}
	fmt.Fprintln(tw, "gowsgid/apache\tgowsgid/nginx\ttarget\t")
	for _, c := range cases {
		r := results[c.name]
		fmt.Fprintf(tw, "%s\t", c.name)
		for _, s := range servers {
			fmt.Fprintf(tw, "%.0f\t%v\t", r[s.Name].RPS(), r[s.Name].P99.Round(time.Microsecond))
		}
		va, okA := ratio(r, "apache")
		vn, okN := ratio(r, "nginx")
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", fmtRatio(va, okA), fmtRatio(vn, okN), verdict(va, okA, vn, okN))
	}
	tw.Flush()
	fmt.Fprintln(f, "target: gowsgid/apache >= 1.00 and gowsgid/nginx >= 0.80 on every case")
	printCPU(f, servers, results)
}

// printCPU prints each server's processor time per response (user and
// system, all its processes, over the measured window). The load
// generator shares the CPUs, so requests/s carry its cost too; this
// does not.
func printCPU(f *os.File, servers []*server, results map[string]map[string]*loadgen.Result) {
	fmt.Fprintln(f, "server CPU time per response:")
	tw := tabwriter.NewWriter(f, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "case	")
	for _, s := range servers {
		fmt.Fprintf(tw, "%s	", s.Name)
	}
	fmt.Fprintln(tw, "apache/gowsgid	nginx/gowsgid	")
	for _, c := range cases {
		r := results[c.name]
		fmt.Fprintf(tw, "%s	", c.name)
		for _, s := range servers {
			fmt.Fprintf(tw, "%s\t", loadgen.FormatCPU(r[s.Name].CPUPerResponse()))
		}
		for _, other := range []string{"apache", "nginx"} {
			g, o := r["gowsgid"], r[other]
			if g == nil || o == nil || g.CPUPerResponse() == 0 {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.2f\t", float64(o.CPUPerResponse())/float64(g.CPUPerResponse()))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// ratio is gowsgid's requests/s over other's, when both ran.
func ratio(r map[string]*loadgen.Result, other string) (float64, bool) {
	g, o := r["gowsgid"], r[other]
	if g == nil || o == nil || o.RPS() == 0 {
		return 0, false
	}
	return g.RPS() / o.RPS(), true
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

func verdict(va float64, okA bool, vn float64, okN bool) string {
	if !okA && !okN {
		return "-"
	}
	if (okA && va < 1) || (okN && vn < 0.8) {
		return "MISSED"
	}
	return "met"
}

// loadAverage is the first field of /proc/loadavg: other work on the
// machine skews every number of the table.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
