package apr

import "testing"

func TestFilepathMergeSecure(t *testing.T) {
	for in, want := range map[string]string{
		"a/b":      "/r/a/b",
		"a//b/":    "/r/a/b/",
		"./a/../b": "/r/b",
		"":         "/r/",
		"a/..":     "/r/",
		"..":       "",
		"a/../../": "",
	} {
		got, ok := FilepathMergeSecure("/r", in)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("FilepathMergeSecure(/r, %q) = %q, want %q", in, got, want)
		}
	}
}
