package httpd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Envvars runs Debian's envvars file through /bin/sh, as apache2ctl does,
// and returns the variables it exports. APACHE_CONFDIR is set to the file's
// directory unless the environment has it, so a copied tree gets its own
// SUFFIX logic right.
func Envvars(path string) (map[string]string, error) {
	cmd := exec.Command("/bin/sh", "-c", `. "$1" && env -0`, "sh", path)
	cmd.Env = os.Environ()
	if _, ok := os.LookupEnv("APACHE_CONFDIR"); !ok {
		cmd.Env = append(cmd.Env, "APACHE_CONFDIR="+filepath.Dir(path))
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, kv := range bytes.Split(out, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		if ok && k != "" {
			vars[k] = v
		}
	}
	return vars, nil
}

// envWithEnvvars looks variables up in the environment first and then in
// the envvars file beside the configuration file, when there is one.
// apache2ctl always sources envvars; gowsgid lets the environment win, so
// a unit file or CI job can still override a value.
func (o *Options) envWithEnvvars() func(string) (string, bool) {
	var vars map[string]string
	loaded := false
	return func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		if !loaded {
			loaded = true
			if f := o.envvarsFile(); f != "" {
				vars, _ = Envvars(f)
			}
		}
		v, ok := vars[name]
		return v, ok
	}
}

// envvarsFile is the envvars file beside the main configuration file.
func (o *Options) envvarsFile() string {
	conf := o.resolveConfigFile()
	if conf == "" {
		conf = "apache2.conf"
	}
	if !filepath.IsAbs(conf) {
		root := o.ServerRoot
		if root == "" {
			root = "/etc/apache2"
		}
		conf = filepath.Join(root, conf)
	}
	f := filepath.Join(filepath.Dir(conf), "envvars")
	if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
		return f
	}
	return ""
}
