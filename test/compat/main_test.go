package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// gowsgidBin is the gowsgid binary TestMain builds once for every test
// (or the one $GOWSGID_BIN names).
var gowsgidBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if bin := os.Getenv("GOWSGID_BIN"); bin != "" {
		// A binary built elsewhere (another build tag, an installed one).
		gowsgidBin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "gowsgid-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gowsgidBin = filepath.Join(dir, "gowsgid")
	build := exec.Command(goTool(), "build", "-o", gowsgidBin, "./cmd/gowsgid")
	build.Dir = "../.."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gowsgid:", err)
		return 1
	}
	return m.Run()
}

// goTool is the go command: the one on PATH, else the toolchain's own.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}
