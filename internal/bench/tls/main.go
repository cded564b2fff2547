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
// with issue 7's target: at least 2x Apache on both. Run it with make
// bench, which installs Apache and h2load and builds bin/gowsgid.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
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
	results := map[string]map[string]float64{}
	for _, c := range cases {
		all := map[string][]float64{}
		for round := 0; round < o.rounds; round++ {
			for i := range servers {
				s := servers[(round+i)%len(servers)]
				v, err := c.run(ctx, s, o)
				if err != nil {
					return fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
				}
				fmt.Fprintf(os.Stderr, "%-22s %-8s %.0f/s\n", c.name, s.Name, v)
				all[s.Name] = append(all[s.Name], v)
			}
		}
		results[c.name] = map[string]float64{}
		for name, vs := range all {
			results[c.name][name] = median(vs)
		}
	}
	printTable(servers, results, o)
	return nil
}

func printTable(servers []*server, results map[string]map[string]float64, o options) {
	fmt.Printf("TLS: %d clients; h2load %d connections x %d streams; median of %d rounds of %v (after %v warm-up)\n",
		o.conns, o.conns, o.streams, o.rounds, o.duration, o.warmup)
	fmt.Printf("machine: %d CPUs shared by the servers and the load generator\n", runtime.NumCPU())
	fmt.Printf("%-34s", "case")
	for _, s := range servers {
		fmt.Printf("%14s", s.Name+" /s")
	}
	fmt.Printf("%16s%10s\n", "gowsgid/apache", "target")
	for _, c := range cases {
		r := results[c.name]
		fmt.Printf("%-34s", c.name)
		for _, s := range servers {
			fmt.Printf("%14.0f", r[s.Name])
		}
		g, a := r["gowsgid"], r["apache"]
		if g > 0 && a > 0 {
			verdict := "met"
			if g/a < 2 {
				verdict = "NOT met"
			}
			fmt.Printf("%16.2f%10s\n", g/a, verdict)
		} else {
			fmt.Printf("%16s%10s\n", "-", "-")
		}
	}
	fmt.Println("target: gowsgid/apache >= 2.00 on every case")
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
