package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
)

// memory is what a server's processes held after its runs, in KiB.
// Workers are the processes that run the application (see
// server.workerName); the others are the rest of its process tree: a
// front end, a master, an arbiter.
type memory struct {
	workers              int
	workerRSS, workerPSS int64 // each, averaged
	others               int
	otherRSS, otherPSS   int64 // together
	// which says which processes were taken for the workers.
	which string
	// noPSS is set when a process had no /proc/PID/smaps_rollup (a
	// kernel before 4.14): the PSS figures are then missing.
	noPSS bool
}

// memory reads the memory of the server's process tree; what it could
// not read is said in which. The workers are, in order of preference:
// the children whose argv[0] is s.workerName (the mod_wsgi and gowsgid
// daemon processes, named by display-name, beside Apache's MPM children
// and no other child of gowsgid), every child (uWSGI's and gunicorn's
// workers, Apache's MPM children in embedded mode), or the server itself
// when it has no child (gowsgid embedded, waitress, Go).
func (s *server) memory() memory {
	root := s.Cmd.Process.Pid
	tree, err := benchproc.Descendants(root)
	if err != nil {
		return memory{which: "not measured: " + err.Error()}
	}
	var m memory
	var workers []int
	if s.workerName != "" {
		// Named daemon processes anywhere under the server: gowsgid
		// started as root has its privileged helper start them.
		for _, pid := range benchproc.TreePIDs(root, tree) {
			if argv0(pid) == s.workerName {
				workers = append(workers, pid)
			}
		}
	} else {
		workers = append(workers, tree[root]...)
	}
	if s.workerName != "" && len(workers) == 0 {
		return memory{which: fmt.Sprintf("not measured: no process is named %q", s.workerName)}
	}
	switch {
	case s.workerName != "":
		m.which = fmt.Sprintf("the processes whose argv[0] is %q", s.workerName)
	case len(workers) > 0:
		m.which = "the children of the server's process"
	default:
		m.which = "the server's process itself"
		workers = []int{root}
	}
	isWorker := map[int]bool{}
	for _, pid := range workers {
		isWorker[pid] = true
		rss, pss, ok := readMemory(pid)
		m.workers++
		m.workerRSS += rss
		m.workerPSS += pss
		m.noPSS = m.noPSS || !ok
	}
	m.workerRSS /= int64(m.workers)
	m.workerPSS /= int64(m.workers)
	for _, pid := range benchproc.TreePIDs(root, tree) {
		if isWorker[pid] {
			continue
		}
		rss, pss, ok := readMemory(pid)
		m.others++
		m.otherRSS += rss
		m.otherPSS += pss
		m.noPSS = m.noPSS || !ok
	}
	return m
}

// argv0 is a process's argv[0] ("" if it is gone), without the spaces
// mod_wsgi pads a display-name with to the length of the argv[0] it
// overwrites.
func argv0(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return ""
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimRight(string(b), " ")
}

// readMemory is a process's RSS and PSS in KiB from smaps_rollup, or its
// RSS alone from status (ok false) where there is no smaps_rollup.
func readMemory(pid int) (rss, pss int64, ok bool) {
	if f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		defer f.Close()
		v := kibFields(f, "Rss:", "Pss:")
		return v["Rss:"], v["Pss:"], true
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	return kibFields(f, "VmRSS:")["VmRSS:"], 0, false
}

// kibFields reads "Name: N kB" lines with the names given.
func kibFields(r io.Reader, names ...string) map[string]int64 {
	out := map[string]int64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		for _, name := range names {
			if len(f) >= 2 && f[0] == name {
				out[name], _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	return out
}

// printMemory prints each server's memory beside Apache's.
func printMemory(w io.Writer, servers []*server, mem map[string]memory) {
	fmt.Fprintln(w, "memory after the runs (MiB; PSS shares each page among the processes that map it):")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tapp processes\tRSS each\tPSS each\tPSS each / Apache's\tother processes\ttheir RSS\ttheir PSS\t")
	apache, haveApache := mem["apache"]
	for _, s := range servers {
		m := mem[s.Name]
		if m.workers == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t\n", s.Name)
			continue
		}
		vsApache := "-"
		if haveApache && apache.workerPSS > 0 && !m.noPSS {
			vsApache = fmt.Sprintf("%.2f", float64(m.workerPSS)/float64(apache.workerPSS))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t\n", s.Name, m.workers,
			mib(m.workerRSS, true), mib(m.workerPSS, !m.noPSS), vsApache,
			m.others, mib(m.otherRSS, m.others > 0), mib(m.otherPSS, m.others > 0 && !m.noPSS))
	}
	tw.Flush()
	fmt.Fprintln(w, "app processes:")
	for _, s := range servers {
		fmt.Fprintf(w, "  %-9s %s\n", s.Name, mem[s.Name].which)
	}
}

// mib formats KiB as MiB, or "-" when the figure is missing.
func mib(kib int64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}
