package confparse

import (
	"errors"
	"strings"
)

// Compression is mod_deflate's and mod_brotli's server settings (a
// virtual host inherits the main server's unset ones).
type Compression struct {
	// DeflateLevel is DeflateCompressionLevel (0: zlib's default).
	DeflateLevel int
	// DeflateETag and BrotliETag are DeflateAlterETag and
	// BrotliAlterETag: "addsuffix" (the default, ""), "nochange" or
	// "remove".
	DeflateETag, BrotliETag string
	// BrotliQuality is BrotliCompressionQuality (nil: unset; the
	// default is 5); BrotliWindow is BrotliCompressionWindow (nil:
	// unset; the default is 18).
	BrotliQuality, BrotliWindow *int
}

// The compression filters gowsgid applies; other output filters are
// accepted and not applied.
const (
	FilterDeflate = "deflate"
	FilterBrotli  = "brotli_compress"
)

// noteCompression marks the configuration as compressing responses
// somewhere, when a filter list names a compression filter.
func noteCompression(c *Cmd, list string) {
	for _, f := range strings.Split(strings.ToLower(list), ";") {
		if f == FilterDeflate || f == FilterBrotli {
			c.Config.Compresses = true
		}
	}
}

// applySetOutputFilter is core's SetOutputFilter.
func applySetOutputFilter(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	c.Dir.SetOutputFilter = &v
	noteCompression(c, v)
	return nil
}

// applyAddOutputFilter is mod_mime's AddOutputFilter: filters, then
// extensions.
func applyAddOutputFilter(c *Cmd) error {
	if c.Dir.OutputFilters == nil {
		c.Dir.OutputFilters = map[string]string{}
	}
	v := strings.ToLower(c.Args[0])
	for _, ext := range c.Args[1:] {
		c.Dir.OutputFilters[strings.TrimPrefix(strings.ToLower(ext), ".")] = v
	}
	noteCompression(c, v)
	return nil
}

// applyRemoveOutputFilter is mod_mime's RemoveOutputFilter.
func applyRemoveOutputFilter(c *Cmd) error {
	for _, ext := range c.Args {
		ext = strings.TrimPrefix(strings.ToLower(ext), ".")
		c.Dir.RemovedOutputFilters = append(c.Dir.RemovedOutputFilters, ext)
		delete(c.Dir.OutputFilters, ext)
	}
	return nil
}

// applyAddOutputFilterByType is mod_filter's filter_bytype: filters
// (";"-separated), then media types. Each filter (named as written:
// mod_filter keys its "BYTYPE:" filters with case) gets the types as
// further providers in this scope, and joins the scope's chain the
// first time the scope names it.
func applyAddOutputFilterByType(c *Cmd) error {
	if len(c.Args) < 2 {
		return errors.New("AddOutputFilterByType requires at least two arguments")
	}
	for _, f := range strings.Split(c.Args[0], ";") {
		if f == "" {
			continue
		}
		if c.Dir.FilterTypes == nil {
			c.Dir.FilterTypes = map[string][]string{}
		}
		if _, seen := c.Dir.FilterTypes[f]; !seen {
			c.Dir.FilterChain = append(c.Dir.FilterChain, f)
		}
		c.Dir.FilterTypes[f] = append(c.Dir.FilterTypes[f], c.Args[1:]...)
	}
	noteCompression(c, c.Args[0])
	return nil
}

// applyDeflateCompressionLevel is mod_deflate's
// deflate_set_compressionlevel.
func applyDeflateCompressionLevel(c *Cmd) error {
	n := atoi(c.Args[0]) // C's atoi: the leading digits, 0 for none
	if n < 1 || n > 9 {
		return errors.New("Compression Level must be between 1 and 9")
	}
	c.Server.Compression.DeflateLevel = n
	return nil
}

// applyAlterETag is DeflateAlterETag and BrotliAlterETag.
func applyAlterETag(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	switch v {
	case "addsuffix", "nochange", "remove":
	default:
		if strings.EqualFold(c.Directive.Name, "DeflateAlterETag") {
			return errors.New("DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'")
		}
		return errors.New("BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'")
	}
	if strings.EqualFold(c.Directive.Name, "DeflateAlterETag") {
		c.Server.Compression.DeflateETag = v
	} else {
		c.Server.Compression.BrotliETag = v
	}
	return nil
}

// applyBrotliQuality is mod_brotli's set_compression_quality.
func applyBrotliQuality(c *Cmd) error {
	n := atoi(c.Args[0]) // C's atoi: the leading digits, 0 for none
	if n < 0 || n > 11 {
		return errors.New("BrotliCompressionQuality must be between 0 and 11")
	}
	c.Server.Compression.BrotliQuality = &n
	return nil
}

// applyBrotliWindow is mod_brotli's set_compression_lgwin.
func applyBrotliWindow(c *Cmd) error {
	n := atoi(c.Args[0]) // C's atoi: the leading digits, 0 for none
	if n < 10 || n > 24 {
		return errors.New("BrotliCompressionWindow must be between 10 and 24")
	}
	c.Server.Compression.BrotliWindow = &n
	return nil
}

// CompressionOf is a server's compression settings: its own, else the
// main server's, else the modules' defaults.
func (c *Config) CompressionOf(s *Server) Compression {
	quality, window := 5, 18
	out := Compression{BrotliQuality: &quality, BrotliWindow: &window, DeflateETag: "addsuffix", BrotliETag: "addsuffix"}
	for _, srv := range []*Server{c.Main, s} {
		if srv == nil {
			continue
		}
		in := srv.Compression
		if in.DeflateLevel != 0 {
			out.DeflateLevel = in.DeflateLevel
		}
		if in.DeflateETag != "" {
			out.DeflateETag = in.DeflateETag
		}
		if in.BrotliETag != "" {
			out.BrotliETag = in.BrotliETag
		}
		if in.BrotliQuality != nil {
			out.BrotliQuality = in.BrotliQuality
		}
		if in.BrotliWindow != nil {
			out.BrotliWindow = in.BrotliWindow
		}
	}
	return out
}

// Action is one mod_actions Action: the script (a URL path) that
// handles a handler name or media type; Virtual runs it even when the
// request maps to no file.
type Action struct {
	Script  string
	Virtual bool
}

// applyAction is mod_actions' add_action.
func applyAction(c *Cmd) error {
	virtual := false
	if len(c.Args) == 3 {
		if !strings.EqualFold(c.Args[2], "virtual") {
			return errors.New("unrecognized option '" + c.Args[2] + "'")
		}
		virtual = true
	}
	if c.Dir.Actions == nil {
		c.Dir.Actions = map[string]Action{}
	}
	c.Dir.Actions[strings.ToLower(c.Args[0])] = Action{Script: c.Args[1], Virtual: virtual}
	return nil
}

// applyScript is mod_actions' set_script: the script for a method.
func applyScript(c *Cmd) error {
	method := c.Args[0]
	if method == "TRACE" {
		return errors.New("TRACE not allowed for Script")
	}
	c.Config.registerMethod(method)
	if c.Dir.MethodScripts == nil {
		c.Dir.MethodScripts = map[string]string{}
	}
	if method == "HEAD" {
		method = "GET" // ap_method_number_of gives HEAD GET's number
	}
	c.Dir.MethodScripts[method] = c.Args[1]
	return nil
}
