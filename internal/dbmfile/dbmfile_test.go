package dbmfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// mapText is a RewriteMap text file with enough keys to split buckets
// many times.
func mapText() (string, map[string]string) { return mapTextOf(3000) }

// mapTextOf is a RewriteMap text file of n keys and a repeated one.
func mapTextOf(n int) (string, map[string]string) {
	var b strings.Builder
	want := map[string]string{}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "key%d /value/%d\n", i, i*7)
		want[fmt.Sprintf("key%d", i)] = fmt.Sprintf("/value/%d", i*7)
	}
	// httxt2dbm stores each line: the last of a repeated key wins.
	b.WriteString("dup first\ndup second\n")
	want["dup"] = "second"
	return b.String(), want
}

// httxt2dbm runs Apache's httxt2dbm (apache2-utils, which make test
// installs) on text with format, and returns the output's path.
func httxt2dbm(t *testing.T, format, text string) string {
	t.Helper()
	bin, err := exec.LookPath("httxt2dbm")
	if err != nil {
		t.Fatal("httxt2dbm is missing (apache2-utils; make test installs it)")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "map.txt"), filepath.Join(dir, "map.dbm")
	if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "-f", format, "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("httxt2dbm -f %s: %v\n%s", format, err, b)
	}
	return out
}

func compareMaps(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("key %.20q: %.20q, want %.20q", k, got[k], v)
		}
	}
}

// TestHttxt2dbm reads what Apache's httxt2dbm writes in each format it
// offers on Debian: Berkeley DB hash (its default, APR's), SDBM (whose
// pairs are in the .pag file) and GDBM.
func TestHttxt2dbm(t *testing.T) {
	text, want := mapText()
	for _, tc := range []struct {
		format, suffix string
		read           func([]byte) (map[string]string, error)
	}{
		{"DB", "", ReadBerkeleyHash},
		{"SDBM", ".pag", ReadSDBM},
		{"GDBM", "", ReadGDBM},
	} {
		t.Run(tc.format, func(t *testing.T) {
			data, err := os.ReadFile(httxt2dbm(t, tc.format, text) + tc.suffix)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.read(data)
			if err != nil {
				t.Fatal(err)
			}
			compareMaps(t, got, want)
		})
	}
}

// perlWriter writes a Berkeley DB hash file with Perl's DB_File (the
// same libdb as APR's): httxt2dbm cuts lines at 1024 bytes, so its files
// never hold an item long enough for overflow pages.
const perlWriter = `use DB_File; use Fcntl;
tie my %%h, "DB_File", $ARGV[0], O_RDWR|O_CREAT, 0644, $DB_HASH or die "$!";
for my $i (0..499) { $h{"key$i"} = "/value/$i"; }
$h{"long"} = "v" x 5000;
$h{"k" x 3000} = "longkey";
$h{"both" x 2000} = "w" x 9000;
untie %%h;
`

// TestBerkeleyHashOverflow reads keys and values kept on overflow pages.
func TestBerkeleyHashOverflow(t *testing.T) {
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Fatal("perl is missing (make test installs it)")
	}
	file := filepath.Join(t.TempDir(), "map.db")
	if b, err := exec.Command(perl, "-e", fmt.Sprintf(perlWriter), file).CombinedOutput(); err != nil {
		t.Fatalf("perl DB_File: %v\n%s", err, b)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadBerkeleyHash(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"long": strings.Repeat("v", 5000), strings.Repeat("k", 3000): "longkey",
		strings.Repeat("both", 2000): strings.Repeat("w", 9000)}
	for i := 0; i < 500; i++ {
		want[fmt.Sprintf("key%d", i)] = fmt.Sprintf("/value/%d", i)
	}
	compareMaps(t, got, want)
}

// TestNotDBM: other files are refused, never read as a map.
func TestNotDBM(t *testing.T) {
	text := []byte(strings.Repeat("key value\n", 200))
	if _, err := ReadBerkeleyHash(text); err == nil {
		t.Error("a text file read as Berkeley DB")
	}
	if _, err := ReadGDBM(text); err == nil {
		t.Error("a text file read as GDBM")
	}
	if _, err := ReadSDBM(text[:1024]); err == nil {
		t.Error("a text file read as SDBM")
	}
	if _, err := ReadSDBM(text[:1000]); err == nil {
		t.Error("a short file read as SDBM")
	}
}

// FuzzBerkeleyHash: no input makes the reader panic or loop.
func FuzzBerkeleyHash(f *testing.F) {
	if bin, err := exec.LookPath("httxt2dbm"); err == nil {
		dir := f.TempDir()
		in, out := filepath.Join(dir, "map.txt"), filepath.Join(dir, "map.dbm")
		text, _ := mapTextOf(20) // small, for the fuzzer's sake
		os.WriteFile(in, []byte(text), 0o644)
		if exec.Command(bin, "-i", in, "-o", out).Run() == nil {
			if b, err := os.ReadFile(out); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadBerkeleyHash(data)
		ReadGDBM(data)
		ReadSDBM(data)
	})
}

// TestGDBMRecordsShareBytes: a file whose records all point at the same
// bytes (made to decode to far more than it holds) is refused, not
// decoded into gigabytes.
func TestGDBMRecordsShareBytes(t *testing.T) {
	const elems, keySize = 1000, 4000
	bucket := 64 + 8
	size := bucket + gdbmBucketTable + elems*gdbmElementSize
	data := make([]byte, size)
	put32 := func(at, v int) { binary.NativeEndian.PutUint32(data[at:], uint32(v)) }
	put64 := func(at, v int) { binary.NativeEndian.PutUint64(data[at:], uint64(v)) }
	put32(0, gdbmMagic64)
	put32(4, 4096)
	put64(8, 64) // the directory: one bucket
	put32(16, 8)
	put32(24, gdbmBucketTable+elems*gdbmElementSize)
	put32(28, elems)
	put64(64, bucket)
	for e := 0; e < elems; e++ {
		el := bucket + gdbmBucketTable + e*gdbmElementSize
		put32(el, e)   // hash_value
		put64(el+8, 0) // every key at offset 0
		put32(el+16, keySize)
		put32(el+20, 0)
	}
	if len(data) < keySize {
		t.Fatalf("the file (%d bytes) must hold one key of %d", len(data), keySize)
	}
	var fe *FormatError
	if _, err := ReadGDBM(data); !errors.As(err, &fe) {
		t.Fatalf("records sharing their bytes: %v, want a FormatError", err)
	}
}

// TestFormatStatus: the APR status Apache logs for each kind of file
// GDBM refuses, and for a file Berkeley DB refuses.
func TestFormatStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		read func([]byte) (map[string]string, error)
		data []byte
		want int
	}{
		{"empty as gdbm", ReadGDBM, nil, 120008},
		{"short text as gdbm", ReadGDBM, []byte("page0 /not-a-database\n"), 120025},
		{"text as gdbm", ReadGDBM, []byte(strings.Repeat("key value\n", 10)), 120007},
		{"text as db", ReadBerkeleyHash, []byte(strings.Repeat("key value\n", 100)), 120022},
	} {
		var fe *FormatError
		if _, err := tt.read(tt.data); !errors.As(err, &fe) || fe.Status != tt.want || !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want status %d", tt.name, err, tt.want)
		}
	}
}
