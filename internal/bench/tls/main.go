// Command tls measures TLS serving (issue 7): gowsgid and Apache httpd
// with mod_ssl and mod_http2 read one configuration file and serve the
// same small file over HTTPS, and each case runs against each server in
// turn, for a few rounds:
//
//   - full TLS handshakes per second with an RSA-2048 certificate (as
//     Debian's snakeoil and most commercial certificates) and with an
//     ECDSA P-256 one (as Let's Encrypt issues on request): every
//     request on a new connection, no session resumption, the client's
//     default TLS version (1.3). Go's default key exchange is the hybrid
//     X25519MLKEM768, which Debian's OpenSSL 3.0 does not offer; the
//     third case gives both servers the groups Mozilla recommends
//     (SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1), so both
//     do the same X25519;
//   - HTTP/2 requests per second from h2load (nghttp2-client): a few
//     connections with many concurrent streams each.
//
// It prints each server's median round and gowsgid's ratio to Apache,
// with issue 7's target: at least 2x Apache on both. For handshakes it
// also prints the server's processor time per handshake: the client
// shares the machine's CPUs, so the rates also carry its cost, and the
// CPU time shows what each server alone spends. Run it with make
// bench, which installs Apache and h2load and builds bin/gowsgid.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	gowsgid := flag.String("gowsgid", "bin/gowsgid", "the gowsgid binary")
	conns := flag.Int("c", 16, "concurrent clients (handshakes) or connections (h2load)")
	streams := flag.Int("m", 10, "h2load: concurrent streams per connection")
	duration := flag.Duration("d", 3*time.Second, "measured time of each round of a case on a server")
	rounds := flag.Int("rounds", 3, "rounds of each case on each server; the median round is shown")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time before each measurement")
	only := flag.String("servers", "gowsgid,apache", "servers to measure, comma-separated")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := options{conns: *conns, streams: *streams, duration: *duration, warmup: *warmup, rounds: max(*rounds, 1)}
	if err := run(ctx, *gowsgid, strings.Split(*only, ","), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the load's shape.
type options struct {
	conns, streams   int
	duration, warmup time.Duration
	rounds           int
}

func run(ctx context.Context, gowsgid string, names []string, o options) error {
	dir, err := os.MkdirTemp("", "bench-tls-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // Apache's children run as another user under root
		return err
	}
	if err := writeSite(dir); err != nil {
		return err
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for _, name := range names {
		bin := gowsgid
		switch name {
		case "gowsgid":
		case "apache":
			bin = "apache2"
		default:
			return fmt.Errorf("unknown server %q (gowsgid, apache)", name)
		}
		s, err := startServer(ctx, name, dir, bin)
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	results := map[string]map[string]result{}
	for _, c := range cases {
		all := map[string][]result{}
		for round := 0; round < o.rounds; round++ {
			for i := range servers {
				s := servers[(round+i)%len(servers)]
				r, err := c.run(ctx, s, o)
				if err != nil {
					return fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
				}
				fmt.Fprintf(os.Stderr, "%-22s %-8s %.0f/s", c.name, s.Name, r.rate)
				if r.cpuPerOp > 0 {
					fmt.Fprintf(os.Stderr, ", %v CPU each", r.cpuPerOp.Round(time.Microsecond))
				}
				fmt.Fprintln(os.Stderr)
				all[s.Name] = append(all[s.Name], r)
			}
		}
		results[c.name] = map[string]result{}
		for name, rs := range all {
			results[c.name][name] = medianRound(rs)
		}
	}
	printTable(servers, results, o)
	return nil
}

func printTable(servers []*server, results map[string]map[string]result, o options) {
	fmt.Printf("TLS: %d clients; h2load %d connections x %d streams; median of %d rounds of %v (after %v warm-up)\n",
		o.conns, o.conns, o.streams, o.rounds, o.duration, o.warmup)
	fmt.Printf("machine: %d CPUs shared by the servers and the load generator\n", runtime.NumCPU())
	fmt.Printf("%-34s", "case")
	for _, s := range servers {
		fmt.Printf("%14s", s.Name+" /s")
	}
	fmt.Printf("%16s%10s", "gowsgid/apache", "target")
	for _, s := range servers {
		fmt.Printf("%14s", s.Name+" CPU")
	}
	fmt.Printf("%16s\n", "apache/gowsgid")
	for _, c := range cases {
		r := results[c.name]
		fmt.Printf("%-34s", c.name)
		for _, s := range servers {
			fmt.Printf("%14.0f", r[s.Name].rate)
		}
		g, a := r["gowsgid"], r["apache"]
		if g.rate > 0 && a.rate > 0 {
			verdict := "met"
			if g.rate/a.rate < 2 {
				verdict = "NOT met"
			}
			fmt.Printf("%16.2f%10s", g.rate/a.rate, verdict)
		} else {
			fmt.Printf("%16s%10s", "-", "-")
		}
		for _, s := range servers {
			if cpu := r[s.Name].cpuPerOp; cpu > 0 {
				fmt.Printf("%11.0f µs", float64(cpu)/float64(time.Microsecond))
			} else {
				fmt.Printf("%14s", "-")
			}
		}
		if g.cpuPerOp > 0 && a.cpuPerOp > 0 {
			fmt.Printf("%16.2f\n", float64(a.cpuPerOp)/float64(g.cpuPerOp))
		} else {
			fmt.Printf("%16s\n", "-")
		}
	}
	fmt.Println("target: gowsgid/apache >= 2.00 on every case")
	fmt.Println("CPU: the server's processor time per handshake (user + system, all its processes);")
	fmt.Println("apache/gowsgid above 1 means gowsgid spends less on each")
}

// medianRound is the round with the median rate.
func medianRound(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int { return cmp.Compare(a.rate, b.rate) })
	return s[len(s)/2]
}
