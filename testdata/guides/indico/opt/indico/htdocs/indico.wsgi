# A stand-in for Indico's indico.wsgi (Indico itself is not a Debian
# package): a WSGI application that answers the paths it is asked for, so
# the guide's configuration can be served and compared with Apache.
def application(environ, start_response):
    body = ("Indico stand-in: %s%s\n" % (environ.get("SCRIPT_NAME", ""),
                                         environ.get("PATH_INFO", ""))).encode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
