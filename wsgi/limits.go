package wsgi

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// ProcessLimits are a daemon process's resource options.
type ProcessLimits struct {
	// MemoryLimit is memory-limit (RLIMIT_DATA), VirtualMemoryLimit
	// virtual-memory-limit (RLIMIT_AS), both in bytes; CPUTimeLimit is
	// cpu-time-limit in seconds (RLIMIT_CPU: SIGXCPU at the soft limit
	// restarts the process gracefully, the kernel kills it at the hard
	// one, shutdown-timeout and a second later). 0 leaves a limit be.
	MemoryLimit, VirtualMemoryLimit int64
	CPUTimeLimit                    int64
	// StackSize is stack-size: the stack of the threads that run
	// requests (0: the system's default); the engine applies it.
	StackSize int64
	// CPUPriority is cpu-priority, the process's nice value.
	CPUPriority int
}

// Apply sets the limits on this process, as mod_wsgi does in a daemon
// process before it loads any application code; a limit that cannot be
// set is logged at crit and the process goes on without it.
func (l ProcessLimits) Apply(group string, shutdownTimeout int64, log func(level, msg string)) {
	pid := os.Getpid()
	if l.CPUPriority != 0 && niceOfThread() != l.CPUPriority {
		// The spawner could not start the process with it (startNiced):
		// set it on every thread, since Linux keeps one per thread.
		if err := setNiceAllThreads(l.CPUPriority); err != nil {
			log("crit", fmt.Sprintf("(%d)%v: mod_wsgi (pid=%d): Couldn't set CPU priority in daemon process '%d'.",
				errnoOf(err), err, pid, l.CPUPriority))
		}
	}
	set := func(resource int, cur, max int64) error {
		return syscall.Setrlimit(resource, &syscall.Rlimit{Cur: uint64(cur), Max: uint64(max)})
	}
	if v := l.CPUTimeLimit; v > 0 {
		if err := set(syscall.RLIMIT_CPU, v, v+1+shutdownTimeout); err != nil {
			log("crit", fmt.Sprintf("(%d)%v: mod_wsgi (pid=%d): Couldn't set CPU time limit of %d seconds for process '%s'.",
				errnoOf(err), err, pid, v, group))
		}
	}
	if v := l.MemoryLimit; v > 0 {
		if err := set(syscall.RLIMIT_DATA, v, v); err != nil {
			log("crit", fmt.Sprintf("(%d)%v: mod_wsgi (pid=%d): Couldn't set memory limit of %d for process '%s'.",
				errnoOf(err), err, pid, v, group))
		}
	}
	if v := l.VirtualMemoryLimit; v > 0 {
		if err := set(syscall.RLIMIT_AS, v, v); err != nil {
			log("crit", fmt.Sprintf("(%d)%v: mod_wsgi (pid=%d): Couldn't set virtual memory limit of %d for process '%s'.",
				errnoOf(err), err, pid, v, group))
		}
	}
}

func errnoOf(err error) int {
	if e, ok := err.(syscall.Errno); ok {
		return int(e)
	}
	return 0
}

// niceOfThread is the calling thread's nice value (the getpriority
// system call answers 20 minus it).
func niceOfThread() int {
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return 20 - raw
}

// setNiceAllThreads sets the nice value of every thread of the process.
// Threads started later take their creator's; one started during a pass
// from a thread not yet set is caught by the next pass.
func setNiceAllThreads(nice int) error {
	done := map[int]bool{}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return syscall.Setpriority(syscall.PRIO_PROCESS, 0, nice)
		}
		set := 0
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil && err != syscall.ESRCH {
				return err
			}
			done[tid] = true
			set++
		}
		if set == 0 {
			return nil
		}
	}
}
