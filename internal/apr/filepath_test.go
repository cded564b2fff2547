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

func TestFilepathMerge(t *testing.T) {
	for _, tt := range []struct{ root, add, want string }{
		{"/r", "a/b", "/r/a/b"},
		{"/r/", "a/b", "/r/a/b"},
		{"/r", "/x/nosub/../a.conf", "/x/a.conf"},
		{"/r", "/x//./a.conf", "/x/a.conf"},
		{"/r", "//x/", "/x/"},
		{"/r", "conf.d/", "/r/conf.d/"},
		{"/r", "a/.", "/r/a/"},
		{"/r", "a/..", "/r/"},
		{"/r", "../x", "/x"},
		{"/r", "../../../x", "/x"},
		{"/r", "/..", "/"},
		{"/r", "", "/r/"},
		{"/r", "/x/*/../y", "/x/y"},
		{"", "a/../../b", "../b"},
		{"", "../../b/", "../../b/"},
	} {
		if got := FilepathMerge(tt.root, tt.add); got != tt.want {
			t.Errorf("FilepathMerge(%q, %q) = %q, want %q", tt.root, tt.add, got, tt.want)
		}
	}
}
