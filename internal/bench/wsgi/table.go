package main

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

// printTable prints requests/s and p99 per server and case, the ratio
// rows with their targets, and how each server ran.
func printTable(w io.Writer, m mode, servers []*server, r results, load loadgen.Options) {
	fmt.Fprintf(w, "%s: %d keep-alive connections, %v measured after %v warm-up, per case and server, %d CPUs\n",
		m.title, load.Conns, load.Duration, load.Warmup, runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, c := range cases {
		fmt.Fprintf(tw, "%s req/s\t%s p99\t", c.name, c.name)
	}
	fmt.Fprintln(tw)
	for _, s := range servers {
		fmt.Fprintf(tw, "%s\t", s.Name)
		for _, c := range cases {
			res := r[c.name][s.Name]
			fmt.Fprintf(tw, "%.0f\t%v\t", res.RPS(), res.P99.Round(time.Microsecond))
		}
		fmt.Fprintln(tw)
	}
	for _, row := range m.ratios {
		row.print(tw, r)
	}
	tw.Flush()
	printCPU(w, servers, r)
	fmt.Fprintln(w, "how each server ran:")
	for _, s := range servers {
		fmt.Fprintf(w, "  %-9s %s\n", s.Name, s.config)
	}
	for _, note := range m.notes(load.Conns) {
		fmt.Fprintln(w, "note:", note)
	}
}

// printCPU prints each server's processor time per request over the
// measured window (user and system, all its processes): the load
// generator shares the CPUs, so requests/s carry its cost too, and this
// does not.
func printCPU(w io.Writer, servers []*server, r results) {
	fmt.Fprintln(w, "server CPU time per request:")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, c := range cases {
		fmt.Fprintf(tw, "%s\t", c.name)
	}
	fmt.Fprintln(tw)
	for _, s := range servers {
		fmt.Fprintf(tw, "%s\t", s.Name)
		for _, c := range cases {
			fmt.Fprintf(tw, "%s\t", loadgen.FormatCPU(r[c.name][s.Name].CPUPerResponse()))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// print prints gowsgid's ratio over the best of row.over per case (with
// that server's name when there is a choice), then the target row. A
// ratio whose servers did not run is "-".
func (row ratioRow) print(tw io.Writer, r results) {
	fmt.Fprintf(tw, "%s\t", row.label)
	for _, c := range cases {
		v, best, ok := bestRatio(r[c.name], row.over)
		if len(row.over) < 2 {
			best = ""
		}
		fmt.Fprintf(tw, "%s\t%s\t", fmtRatio(v, ok), best)
	}
	fmt.Fprintf(tw, "\n%s\t", row.target)
	for _, c := range cases {
		v, _, ok := bestRatio(r[c.name], row.over)
		fmt.Fprintf(tw, "%s\t\t", verdict(v, ok, row.min(c)))
	}
	fmt.Fprintln(tw)
}

// bestRatio is gowsgid's requests/s over the best of others', and that
// server's name in parentheses.
func bestRatio(r map[string]*loadgen.Result, others []string) (float64, string, bool) {
	best := ""
	for _, name := range others {
		if res := r[name]; res != nil && (best == "" || res.RPS() > r[best].RPS()) {
			best = name
		}
	}
	if best == "" {
		return 0, "", false
	}
	v, ok := ratio(r, best)
	return v, "(" + best + ")", ok
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

// verdict says whether the ratio v reaches target.
func verdict(v float64, ok bool, target float64) string {
	switch {
	case !ok:
		return "-"
	case v >= target:
		return "met"
	}
	return "NOT met"
}
