package aprerr

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestPrefix(t *testing.T) {
	_, statErr := os.Stat("/nonexistent/gowsgid")
	for _, c := range []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "(2)No such file or directory: "},
		{statErr, "(2)No such file or directory: "},
		{fmt.Errorf("opening: %w", syscall.EMFILE), "(24)Too many open files: "},
		{syscall.EACCES, "(13)Permission denied: "},
		{errors.New("no errno here"), ""},
	} {
		if got := Prefix(c.err); got != c.want {
			t.Errorf("Prefix(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
