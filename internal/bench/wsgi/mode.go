package main

import (
	"fmt"
	"os"
	"strings"
)

// mode is what one run measures: gowsgid's embedded mode against the
// servers of issue 5, or its daemon mode against those of issue 6. The
// application, the cases and the load are the same in both; the servers,
// their sizes and the targets differ.
type mode struct {
	name string
	// servers are the servers measured by default, in table order.
	servers string
	// title heads the table: what ran, in a few words.
	title string
	// daemon is the WSGIDaemonProcess configuration gowsgid and Apache
	// read ("" runs the application embedded).
	daemon string
	// gowsgidConfig and apacheConfig say how the two run it.
	gowsgidConfig, apacheConfig string
	// sizes are the Python peers' processes and threads.
	sizes peerSizes
	// ratios are the rows of the ratio table.
	ratios []ratioRow
}

// ratioRow is gowsgid's requests/s over the best of some servers, per
// case, and the least ratio the case must reach.
type ratioRow struct {
	label  string
	target string // says the targets, under label
	over   []string
	min    func(benchCase) float64
}

// daemonGroup is the name of the daemon process group, and daemonName
// the argv[0] its processes show (display-name=%{GROUP}): the memory
// report tells them from the server's other children by it.
const (
	daemonGroup = "bench"
	daemonName  = "(wsgi:" + daemonGroup + ")"
)

// embeddedMode is issue 5's comparison: gowsgid running Python in its
// own process against Apache + mod_wsgi embedded, the Python servers
// sized for the machine as their documentation advises, and bare Go.
func embeddedMode(cpus, conns int) mode {
	return mode{
		name:          "embedded",
		servers:       "gowsgid,apache,uwsgi,gunicorn,waitress,go",
		title:         "WSGI, embedded mode",
		gowsgidConfig: "embedded, %{GLOBAL}, event MPM: ThreadsPerChild 25 (at most 25 requests in Python)",
		apacheConfig:  "mod_wsgi embedded, %{GLOBAL}, event MPM: StartServers 2, ThreadsPerChild 25, MaxRequestWorkers 150",
		sizes:         sizePeers(cpus, conns),
		ratios: []ratioRow{
			{label: "gowsgid / best Python peer", target: "target: 3x hello, 2x others",
				over: []string{"apache", "uwsgi", "gunicorn", "waitress"}, min: benchCase.peerTarget},
			{label: "gowsgid / bare Go", target: fmt.Sprintf("target: %.2f", goTarget),
				over: []string{"go"}, min: func(benchCase) float64 { return goTarget }},
		},
	}
}

// daemonMode is issue 6's comparison: gowsgid and Apache + mod_wsgi
// each with one WSGIDaemonProcess group of procs processes and threads
// threads, uWSGI and gunicorn with as many processes and threads. Run as
// root, the daemon processes of both run as www-data (mod_wsgi refuses
// root), the front ends as root.
func daemonMode(procs, threads int) mode {
	daemon := fmt.Sprintf("WSGIDaemonProcess %s processes=%d threads=%d display-name=%%{GROUP}\nWSGIProcessGroup %s\n",
		daemonGroup, procs, threads, daemonGroup)
	if os.Geteuid() == 0 {
		daemon = "User www-data\nGroup www-data\n" + daemon
	}
	group := fmt.Sprintf("WSGIDaemonProcess processes=%d threads=%d, %%{GLOBAL}", procs, threads)
	return mode{
		name:          "daemon",
		servers:       "gowsgid,apache,uwsgi,gunicorn",
		title:         fmt.Sprintf("WSGI, daemon mode: %d processes x %d threads on every server", procs, threads),
		daemon:        daemon,
		gowsgidConfig: group + "; front end: the Go server",
		apacheConfig:  group + "; front end: event MPM, StartServers 2, ThreadsPerChild 25",
		sizes: peerSizes{uwsgiProcs: procs, uwsgiThreads: threads,
			gunicornWorkers: procs, gunicornThr: threads, waitressThreads: threads},
		ratios: []ratioRow{
			{label: "gowsgid / Apache daemon", target: "target: 3x",
				over: []string{"apache"}, min: func(benchCase) float64 { return 3 }},
			{label: "gowsgid / best of uWSGI, gunicorn", target: "target: 1.3x",
				over: []string{"uwsgi", "gunicorn"}, min: func(benchCase) float64 { return 1.3 }},
		},
	}
}

// notes are warnings about the run that belong under its table.
func (m mode) notes(conns int) []string {
	var out []string
	if m.name == "daemon" && conns > m.sizes.uwsgiProcs*m.sizes.uwsgiThreads {
		out = append(out, fmt.Sprintf("uWSGI's http11-socket holds a thread per open connection: %d connections on %d threads leave some waiting",
			conns, m.sizes.uwsgiProcs*m.sizes.uwsgiThreads))
	}
	return out
}

// serverList is the servers named by the -servers flag, or the mode's.
func (m mode) serverList(flag string) []string {
	if flag == "" {
		flag = m.servers
	}
	return strings.Split(flag, ",")
}
