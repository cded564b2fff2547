// Command configtest measures `gowsgid -t` against `apache2 -t` on a copy
// of Debian's stock /etc/apache2 tree (with mod_wsgi enabled) and prints
// the times and their ratio. Both are run as whole processes, the way CI
// scripts run them. Run it with make bench.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	gowsgid := flag.String("gowsgid", "bin/gowsgid", "the gowsgid binary")
	runs := flag.Int("n", 30, "runs of each")
	flag.Parse()
	apache, err := exec.LookPath("apache2")
	if err != nil {
		fail("apache2 is not installed: make bench installs it")
	}
	dir, err := os.MkdirTemp("", "bench-configtest")
	if err != nil {
		fail(err.Error())
	}
	defer os.RemoveAll(dir)
	tree := filepath.Join(dir, "apache2")
	if out, err := exec.Command("cp", "-a", "/etc/apache2", tree).CombinedOutput(); err != nil {
		fail(fmt.Sprintf("copy /etc/apache2: %v %s", err, out))
	}
	// apache2 needs Debian's envvars exported, as apache2ctl does it;
	// gowsgid reads them itself, but gets the same environment.
	out, err := exec.Command("/bin/sh", "-c", `APACHE_CONFDIR="$1" . "$1/envvars" && env`, "sh", tree).Output()
	if err != nil {
		fail("envvars: " + err.Error())
	}
	env := strings.Split(strings.TrimSpace(string(out)), "\n")
	args := []string{"-t", "-d", tree, "-f", filepath.Join(tree, "apache2.conf")}
	type result struct {
		name   string
		median time.Duration
	}
	var results []result
	for _, prog := range []struct{ name, path string }{{"apache2 -t", apache}, {"gowsgid -t", *gowsgid}} {
		times := make([]time.Duration, 0, *runs)
		for i := 0; i < *runs; i++ {
			cmd := exec.Command(prog.path, args...)
			cmd.Env = env
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Syntax OK") {
				fail(fmt.Sprintf("%s: %v\n%s", prog.name, err, out))
			}
			times = append(times, time.Since(start))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		results = append(results, result{prog.name, times[len(times)/2]})
	}
	fmt.Printf("configtest of Debian's stock /etc/apache2 (+ mod_wsgi), median of %d runs\n", *runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "command\tmedian\tratio to apache2 -t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%v\t%.2f\n", r.name, r.median.Round(10*time.Microsecond), float64(r.median)/float64(results[0].median))
	}
	tw.Flush()
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "bench:", msg)
	os.Exit(1)
}
