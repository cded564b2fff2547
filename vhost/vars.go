package vhost

import "strings"

// Vars is an Apache table of strings (apr_table_t): entries in order,
// names compared without case, a name possibly more than once. A
// request's environment (subprocess_env) is one, and mod_headers works
// on header tables of this kind.
type Vars []EnvVar

// Get returns the value of the first entry of name (apr_table_get).
func (v Vars) Get(name string) (string, bool) {
	for _, kv := range v {
		if strings.EqualFold(kv.Key, name) {
			return kv.Value, true
		}
	}
	return "", false
}

// Has reports whether name has an entry.
func (v Vars) Has(name string) bool {
	_, ok := v.Get(name)
	return ok
}

// Set gives the first entry of name the value, keeping its spelling, and
// drops the others; without one it appends (apr_table_setn).
func (v *Vars) Set(name, value string) {
	found := false
	out := (*v)[:0]
	for _, kv := range *v {
		if strings.EqualFold(kv.Key, name) {
			if found {
				continue
			}
			found = true
			kv.Value = value
		}
		out = append(out, kv)
	}
	clear((*v)[len(out):])
	if !found {
		out = append(out, EnvVar{name, value})
	}
	*v = out
}

// Add appends an entry (apr_table_addn).
func (v *Vars) Add(name, value string) { *v = append(*v, EnvVar{name, value}) }

// Unset drops every entry of name (apr_table_unset).
func (v *Vars) Unset(name string) {
	out := (*v)[:0]
	for _, kv := range *v {
		if !strings.EqualFold(kv.Key, name) {
			out = append(out, kv)
		}
	}
	clear((*v)[len(out):])
	*v = out
}

// Merge appends ", value" to the first entry of name, or adds one
// (apr_table_mergen).
func (v *Vars) Merge(name, value string) {
	for i, kv := range *v {
		if strings.EqualFold(kv.Key, name) {
			(*v)[i].Value = kv.Value + ", " + value
			return
		}
	}
	v.Add(name, value)
}

// compress folds the entries of each name into one, as apr_table_compress
// with APR_OVERLAP_TABLES_SET does: the first entry's spelling, the last
// entry's value. Only the first n entries can have a later twin (the
// rest are known to be distinct), which keeps the usual case cheap.
func compress(env []EnvVar, n int) []EnvVar {
	if n == 0 {
		return env
	}
	dropped := false
	for i := 0; i < n && i < len(env); i++ {
		if env[i].Key == "" {
			continue
		}
		for j := i + 1; j < len(env); j++ {
			if env[j].Key != "" && strings.EqualFold(env[i].Key, env[j].Key) {
				env[i].Value = env[j].Value
				env[j].Key = ""
				dropped = true
			}
		}
	}
	if !dropped {
		return env
	}
	out := env[:0]
	for _, kv := range env {
		if kv.Key != "" {
			out = append(out, kv)
		}
	}
	clear(env[len(out):])
	return out
}
