// Package static answers requests for files and directories the way Apache
// httpd 2.4 does, without knowing anything about configuration files: the
// caller passes plain option structs that it derived from the merged
// per-directory configuration.
//
// It covers three pieces of Apache:
//
//   - mod_mime and ap_make_content_type: [LoadTypes] reads a TypesConfig
//     file, and [Resolve] computes the Content-Type, Content-Encoding,
//     Content-Language and handler of a file name from its extensions, with
//     AddType/AddCharset/AddEncoding/AddLanguage/AddHandler, ForceType and
//     AddDefaultCharset ([MimeDir]).
//   - the core's default handler with http_etag.c, ap_meets_conditions and
//     the byterange filter: [ServeFile] writes Last-Modified, ETag,
//     Accept-Ranges and Content-Length, evaluates If-Match,
//     If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range in
//     Apache's order, and answers Range requests with Apache's merging of
//     overlapping ranges and its multipart/byteranges layout.
//   - mod_autoindex: [ServeIndex] writes the directory listing, plain or
//     fancy (pre or HTMLTable), with icons, alt texts, descriptions,
//     IndexIgnore, HeaderName/ReadmeName and the C=/O=/F=/V=/P= query.
//
// Responses that Apache sends through its error-page machinery (405, 416,
// 404, 403, 501) are not written; the functions return an [*HTTPError] so
// that the caller can render Apache's error page (or an ErrorDocument).
package static
