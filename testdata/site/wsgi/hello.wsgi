# The WSGI application of the example site: it echoes what it was given.
def application(environ, start_response):
    lines = ["Hello from WSGI.", ""]
    for key in ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD", "HTTP_HOST"):
        lines.append("%s=%s" % (key, environ.get(key, "")))
    body = ("\n".join(lines) + "\n").encode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
