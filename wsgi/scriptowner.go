package wsgi

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// checkScriptOwner is mod_wsgi's script-user and script-group check of a
// request for daemon group d: the script must belong to that user (and
// be writable by neither its group nor the world) or to that group (and
// not be writable by the world), and so must its directory. A request
// that fails it is forbidden, with mod_wsgi's reason in the error log.
func (h *Handler) checkScriptOwner(r *vhost.Request, d *confparse.WSGIDaemon) error {
	if name, ok := d.Options["script-user"]; ok {
		return h.checkOwner(r, name, ownerRule{
			what: "user", title: "User", idWhat: "uid", owner: "Owner", ofWhat: "owner",
			id: func(st *syscall.Stat_t) uint32 { return st.Uid },
			name: func(id string) (string, error) {
				u, err := user.LookupId(id)
				if err != nil {
					return "", err
				}
				return u.Username, nil
			},
			groupWritable: true,
		})
	}
	if name, ok := d.Options["script-group"]; ok {
		return h.checkOwner(r, name, ownerRule{
			what: "group", title: "Group", idWhat: "gid", owner: "Group", ofWhat: "group",
			id: func(st *syscall.Stat_t) uint32 { return st.Gid },
			name: func(id string) (string, error) {
				g, err := user.LookupGroupId(id)
				if err != nil {
					return "", err
				}
				return g.Name, nil
			},
		})
	}
	return nil
}

// ownerRule is what checkOwner compares: a file's user or its group.
type ownerRule struct {
	// what, title and idWhat name the owner in the messages ("user",
	// "User", "uid"); owner and ofWhat are the words mod_wsgi uses for
	// it ("Owner", "owner" for a user; "Group", "group" for a group).
	what, title, idWhat, owner, ofWhat string
	id                                 func(*syscall.Stat_t) uint32
	name                               func(id string) (string, error)
	// groupWritable: a file its group may write is refused too (the
	// script-user rule).
	groupWritable bool
}

func (h *Handler) checkOwner(r *vhost.Request, want string, rule ownerRule) error {
	forbid := func(msg string) error { return h.scriptError(r, 403, msg) }
	st, ok := statOf(r.Info)
	if !ok {
		return forbid(rule.title + " information not available for WSGI script file")
	}
	id := strconv.FormatUint(uint64(rule.id(st)), 10)
	name, err := rule.name(id)
	if err != nil {
		return forbid(fmt.Sprintf("Couldn't determine %s of WSGI script file, %s=%s", rule.ofWhat, rule.idWhat, id))
	}
	if name != want {
		return forbid(fmt.Sprintf("%s of WSGI script file does not match required %s for daemon process, %s=%s",
			rule.owner, rule.what, rule.what, name))
	}
	mode := r.Info.Mode().Perm()
	if rule.groupWritable && mode&0o020 != 0 {
		return forbid("WSGI script file is writable to group")
	}
	if mode&0o002 != 0 {
		return forbid("WSGI script file is writable to world")
	}
	dir := filepath.Dir(r.Filename) + "/"
	info, err := os.Stat(dir)
	st, ok = statOf(info)
	if err != nil || !ok {
		h.logf("error", r, "Unable to stat parent directory of WSGI script: %s", dir)
		return fail(403)
	}
	id = strconv.FormatUint(uint64(rule.id(st)), 10)
	if name, err = rule.name(id); err != nil {
		return forbid(fmt.Sprintf("Couldn't determine %s of parent directory of WSGI script file, %s=%s", rule.ofWhat, rule.idWhat, id))
	}
	if name != want {
		return forbid(fmt.Sprintf("%s of parent directory of WSGI script file does not match required %s for daemon process, %s=%s",
			rule.owner, rule.what, rule.what, name))
	}
	if info.Mode().Perm()&0o002 != 0 {
		return forbid("Parent directory of WSGI script file is writable to world")
	}
	if rule.groupWritable && info.Mode().Perm()&0o020 != 0 {
		return forbid("Parent directory of WSGI script file is writable to group")
	}
	return nil
}

// statOf is a file's stat record.
func statOf(fi fs.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
}
