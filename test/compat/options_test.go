package compat

import (
	"os"
	"path/filepath"
	"testing"
)

// optionsSite covers Options with symbolic links: FollowSymLinks,
// SymLinksIfOwnerMatch (a link owned by another user than its target;
// also added to an inherited FollowSymLinks, where it still applies),
// None, All, +/- merging, Indexes listings that hide links they may not
// follow, links to directories, broken links and links out of the
// document root.
func optionsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName options.test
ServerTokens OS
ServerSignature On
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Options Indexes FollowSymLinks
  Require all granted
</Directory>
<Directory $DIR/htdocs/nofollow>
  Options Indexes
</Directory>
<Directory $DIR/htdocs/owner>
  Options Indexes SymLinksIfOwnerMatch
</Directory>
<Directory $DIR/htdocs/ownerplus>
  Options +SymLinksIfOwnerMatch
</Directory>
<Directory $DIR/htdocs/none>
  Options None
</Directory>
<Directory $DIR/htdocs/plus>
  Options +Indexes -FollowSymLinks
</Directory>
<Directory $DIR/htdocs/plus/again>
  Options +FollowSymLinks
</Directory>
<Directory $DIR/htdocs/all>
  Options All
</Directory>
<Directory $DIR/htdocs/noindexes>
  Options -Indexes
</Directory>
<Directory $DIR/target>
  Require all granted
</Directory>
`
	var reqs []request
	for _, d := range []string{"", "nofollow/", "owner/", "ownerplus/", "none/", "plus/", "plus/again/", "all/", "noindexes/"} {
		for _, f := range []string{"", "real.txt", "link.txt", "linkdir/", "linkdir/t.txt", "linkdir",
			"outside.txt", "broken.txt", "foreign.txt", "abs.txt"} {
			reqs = append(reqs, get("/"+d+f))
		}
	}
	reqs = append(reqs, get("/dirlink/real.txt"), get("/dirlink/"), get("/dirlink"), get("/nofollow/sub/x.txt"),
		get("/owner/sub/x.txt"), get("/?C=N;O=D"))
	files := map[string]string{
		"target/t.txt":   "target file\n",
		"secret/s.txt":   "secret\n",
		"htdocs/foo.txt": "foo\n",
	}
	for _, d := range []string{"", "nofollow/", "owner/", "ownerplus/", "none/", "plus/", "plus/again/", "all/", "noindexes/"} {
		files["htdocs/"+d+"real.txt"] = "real file in /" + d + "\n"
		files["htdocs/"+d+"sub/x.txt"] = "x\n"
	}
	return site{
		name: "options", host: "options.test", ports: 1, reqs: reqs,
		conf: head(stdMods...) + conf, files: files,
		setup: func(t *testing.T, dir string) {
			for _, d := range []string{"", "nofollow/", "owner/", "ownerplus/", "none/", "plus/", "plus/again/", "all/", "noindexes/"} {
				symlink(t, dir, "real.txt", "htdocs/"+d+"link.txt")
				symlink(t, dir, "$DIR/target", "htdocs/"+d+"linkdir")
				symlink(t, dir, "$DIR/secret/s.txt", "htdocs/"+d+"outside.txt")
				symlink(t, dir, "nothing-here", "htdocs/"+d+"broken.txt")
				symlink(t, dir, "$DIR/htdocs/foo.txt", "htdocs/"+d+"abs.txt")
				// A link owned by another user than its target.
				symlink(t, dir, "real.txt", "htdocs/"+d+"foreign.txt")
				if err := os.Lchown(filepath.Join(dir, "htdocs", d, "foreign.txt"), 65534, 65534); err != nil && os.Geteuid() == 0 {
					t.Fatal(err)
				}
			}
			symlink(t, dir, "nofollow", "htdocs/dirlink")
		},
	}
}
