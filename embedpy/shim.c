//go:build cgo && !nopython

/*
 * Python start-up, interpreters (application groups), thread states,
 * script loading and the request run loop.
 */
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

__thread gw_req *gw_current;
__thread PyObject *gw_current_log;

/* Thread states of this OS thread: the main interpreter's first, so the
 * PyGILState API sees it, then one per sub-interpreter. */
static __thread PyThreadState *tls_main;
static __thread PyThreadState *tls_ts[GW_MAX_INTERP];
static __thread uint32_t tls_gen[GW_MAX_INTERP];

/* Interpreters by id; written with the GIL held. */
static gw_interp *interps[GW_MAX_INTERP];
static pthread_mutex_t interp_lock = PTHREAD_MUTEX_INITIALIZER;
/* Script loading is serialised, as mod_wsgi's wsgi_module_lock does. */
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

static int log_fd = -1;
static char *bootstrap_code;
static char *bootstrap_settings;
pid_t gw_pid;
int gw_multithread, gw_multiprocess, gw_run_once;

/* ---------------------------------------------------------------- */
/* Logging.                                                          */

#define GW_LOG_NOCLIENT 0x100
#define GW_LOG_MAX 8000

/* gw_log writes one error log record; the GIL is held. On the thread of a
 * running request (and not in a forked child) it calls Go directly, so the
 * records keep their order with the response; elsewhere it writes a
 * datagram that a Go goroutine drains. */
void gw_log(gw_req *req, int level, const char *msg, size_t len)
{
    if (len > GW_LOG_MAX)
        len = GW_LOG_MAX;
    gw_req *cur = gw_current;
    if (cur && getpid() == gw_pid && (req == NULL || req == cur)) {
        int lv = level | (req ? 0 : GW_LOG_NOCLIENT);
        Py_BEGIN_ALLOW_THREADS
        gwgo_log(cur->handle, lv, (char *)msg, (long long)len);
        Py_END_ALLOW_THREADS
        return;
    }
    if (log_fd < 0)
        return;
    char rec[2 + 80 + GW_LOG_MAX];
    size_t cl = req ? strnlen(req->client, sizeof req->client) : 0;
    rec[0] = (char)level;
    rec[1] = (char)cl;
    memcpy(rec + 2, req ? req->client : "", cl);
    memcpy(rec + 2 + cl, msg, len);
    Py_BEGIN_ALLOW_THREADS
    while (send(log_fd, rec, 2 + cl + len, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
    Py_END_ALLOW_THREADS
}

void gw_logf(gw_req *req, int level, const char *fmt, ...)
{
    char buf[GW_LOG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    gw_log(req, level, buf, (size_t)n);
}

/* The interpreter being set up on this thread, before it is published. */
static __thread gw_interp *tls_setup;

static gw_interp *current_interp(void)
{
    if (tls_setup)
        return tls_setup;
    PyInterpreterState *is = PyThreadState_Get()->interp;
    for (int i = 0; i < GW_MAX_INTERP; i++)
        if (interps[i] && interps[i]->istate == is)
            return interps[i];
    return NULL;
}

/* gw_log_exception is wsgi_log_python_error: the headline, then the
 * traceback written through log (a temporary request log when NULL). */
void gw_log_exception(gw_req *req, PyObject *log, const char *script)
{
    if (!PyErr_Occurred())
        return;
    PyObject *type, *value, *tb;
    PyObject *tmp = NULL;
    int is_exit = PyErr_ExceptionMatches(PyExc_SystemExit);
    PyErr_Fetch(&type, &value, &tb);
    if (is_exit)
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): SystemExit exception raised by "
                "WSGI script '%s' ignored.", (int)gw_pid, script);
    else
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Exception occurred processing "
                "WSGI script '%s'.", (int)gw_pid, script);
    PyErr_NormalizeException(&type, &value, &tb);
    if (!value) {
        value = Py_None;
        Py_INCREF(value);
    }
    if (!tb) {
        tb = Py_None;
        Py_INCREF(tb);
    }
    if (!log) {
        /* A fresh wrapper on a new buffer for this request. */
        gw_interp *in = current_interp();
        if (in) {
            PyObject *buf = gw_logbuf_new(in, req, GW_LOG_ERR, NULL, 0);
            if (buf) {
                tmp = gw_log_wrapper(in, buf);
                Py_DECREF(buf);
            }
        }
        log = tmp;
    }
    PyObject *res = NULL;
    PyObject *mod = PyImport_ImportModule("traceback");
    if (mod && log) {
        res = PyObject_CallMethod(mod, "print_exception", "OOOOO", type, value, tb, Py_None, log);
    }
    Py_XDECREF(mod);
    if (!res) {
        PyErr_Clear();
        if (log == NULL) {
            /* No log object (no interpreter record yet): the exception text. */
            PyObject *s = PyObject_Str(value);
            if (s) {
                const char *t = PyUnicode_AsUTF8(s);
                if (t)
                    gw_logf(req, GW_LOG_ERR, "%s: %s", ((PyTypeObject *)type)->tp_name, t);
                Py_DECREF(s);
            }
            PyErr_Clear();
        }
    }
    Py_XDECREF(res);
    if (tmp) {
        PyObject *r = PyObject_CallMethod(tmp, "close", NULL);
        if (!r)
            PyErr_Clear();
        Py_XDECREF(r);
        Py_DECREF(tmp);
    }
    Py_DECREF(type);
    Py_DECREF(value);
    Py_DECREF(tb);
}

/* ---------------------------------------------------------------- */
/* The _gowsgid helper module the bootstrap uses.                     */

static PyObject *py_log(PyObject *self, PyObject *args)
{
    int level;
    const char *msg;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "is#:log", &level, &msg, &n))
        return NULL;
    gw_log(NULL, level, msg, (size_t)n);
    Py_RETURN_NONE;
}

static PyObject *py_log_object(PyObject *self, PyObject *args)
{
    int level, proxy;
    PyObject *name;
    if (!PyArg_ParseTuple(args, "iOp:log_object", &level, &name, &proxy))
        return NULL;
    gw_interp *in = current_interp();
    if (!in) {
        PyErr_SetString(PyExc_RuntimeError, "no gowsgid interpreter");
        return NULL;
    }
    const char *cname = NULL;
    if (name != Py_None) {
        /* The name must outlive the object: keep it interned forever. */
        PyObject *s = PyUnicode_FromObject(name);
        if (!s)
            return NULL;
        PyUnicode_InternInPlace(&s);
        cname = PyUnicode_AsUTF8(s);
        /* leak s deliberately: interned names live as long as the process */
    }
    PyObject *buf = gw_logbuf_new(in, NULL, level, cname, proxy);
    if (!buf)
        return NULL;
    PyObject *w = gw_log_wrapper(in, buf);
    Py_DECREF(buf);
    return w;
}

static PyMethodDef helper_methods[] = {
    {"log", py_log, METH_VARARGS, NULL},
    {"log_object", py_log_object, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef helper_def = {
    PyModuleDef_HEAD_INIT, "_gowsgid", NULL, -1, helper_methods,
    NULL, NULL, NULL, NULL
};

/* ---------------------------------------------------------------- */
/* Interpreters.                                                      */

static const char *known_keys[] = {
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING",
    "REQUEST_URI", "SCRIPT_FILENAME", "CONTENT_TYPE", "CONTENT_LENGTH",
    "SERVER_NAME", "SERVER_PORT", "SERVER_ADDR", "REMOTE_ADDR", "REMOTE_PORT",
    "REMOTE_USER", "AUTH_TYPE", "REMOTE_HOST", "SERVER_PROTOCOL", "SERVER_SOFTWARE",
    "SERVER_SIGNATURE", "SERVER_ADMIN", "GATEWAY_INTERFACE", "DOCUMENT_ROOT",
    "CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX", "REQUEST_SCHEME",
    "HTTP_HOST", "HTTP_USER_AGENT", "HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING",
    "HTTP_ACCEPT_LANGUAGE", "HTTP_CONNECTION", "HTTP_COOKIE", "HTTP_REFERER",
    "HTTP_CACHE_CONTROL", "HTTP_AUTHORIZATION", "HTTP_X_FORWARDED_FOR",
    "HTTP_UPGRADE_INSECURE_REQUESTS", "HTTP_TRANSFER_ENCODING",
    "mod_wsgi.process_group", "mod_wsgi.application_group", "mod_wsgi.callable_object",
    "mod_wsgi.request_handler", "mod_wsgi.handler_script", "mod_wsgi.script_reloading",
    "mod_wsgi.listener_host", "mod_wsgi.listener_port", "mod_wsgi.enable_sendfile",
    "mod_wsgi.ignore_activity", "mod_wsgi.request_start", "mod_wsgi.request_id",
    "mod_wsgi.script_name", "mod_wsgi.path_info", "wsgi.url_scheme",
};

#define NKNOWN ((int)(sizeof known_keys / sizeof known_keys[0]))
/* KEY_URL_SCHEME is wsgi.url_scheme's id, the last of known_keys
 * (TestURLSchemeKeyIsLast): mod_wsgi sets it after wsgi.run_once, so
 * build_environ holds it back until then. */
#define KEY_URL_SCHEME (NKNOWN - 1)

int gw_known_keys(const char ***keys)
{
    *keys = known_keys;
    return NKNOWN;
}

/* setup_interp readies the interpreter whose thread state is current:
 * the types, the mod_wsgi and _gowsgid modules, then the bootstrap. */
static gw_interp *setup_interp(const char *name)
{
    gw_interp *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->name = strdup(name);
    in->istate = PyThreadState_Get()->interp;
    in->keys = calloc(NKNOWN, sizeof(PyObject *));
    if (!gw_interp_types(in))
        return NULL;
    for (int i = 0; i < NKNOWN; i++)
        in->keys[i] = PyUnicode_InternFromString(known_keys[i]);
    in->modules = PyImport_GetModuleDict();
    Py_INCREF(in->modules);
    return in;
}

/* run_bootstrap runs the bootstrap code with the settings and the
 * interpreter's name; errors are logged. */
static void run_bootstrap(gw_interp *in)
{
    tls_setup = in;
    PyObject *mod = gw_module_init(in);
    PyObject *helper = PyModule_Create(&helper_def);
    PyObject *globals = PyDict_New();
    PyObject *settings = NULL, *res = NULL, *name = NULL;
    if (!mod || !helper || !globals)
        goto fail;
    PyDict_SetItemString(in->modules, "_gowsgid", helper);
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    PyDict_SetItemString(globals, "_gowsgid", helper);
    settings = PyRun_String(bootstrap_settings, Py_eval_input, globals, globals);
    if (!settings)
        goto fail;
    name = PyUnicode_DecodeLatin1(in->name, strlen(in->name), NULL);
    PyDict_SetItemString(globals, "_settings", settings);
    PyDict_SetItemString(globals, "_application_group", name);
    res = PyRun_String(bootstrap_code, Py_file_input, globals, globals);
    if (!res)
        goto fail;
    goto done;
fail:
    gw_log_exception(NULL, NULL, "<gowsgid bootstrap>");
    PyErr_Clear();
done:
    Py_XDECREF(res);
    Py_XDECREF(name);
    Py_XDECREF(settings);
    Py_XDECREF(globals);
    Py_XDECREF(helper);
    Py_XDECREF(mod);
    tls_setup = NULL;
}

/* attach makes the interpreter with this id current on this thread,
 * creating it on first use, and returns it with the GIL held; NULL (GIL
 * held, main interpreter current) if it cannot be created. */
static gw_interp *attach(int id, const char *name)
{
    if (!tls_main) {
        PyGILState_Ensure();        /* kept for the life of the thread */
        tls_main = PyThreadState_Get();
        PyEval_SaveThread();
    }
    if (id == 0) {
        PyEval_RestoreThread(tls_main);
        return interps[0];
    }
    gw_interp *in = interps[id];
    if (in && tls_ts[id] && tls_gen[id] == in->gen) {
        PyEval_RestoreThread(tls_ts[id]);
        return in;
    }
    PyEval_RestoreThread(tls_main);
    if (!interps[id]) {
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&interp_lock);
        Py_END_ALLOW_THREADS
        if (!interps[id]) {
            PyThreadState *ts = Py_NewInterpreter();
            if (!ts) {
                PyThreadState_Swap(tls_main);
                pthread_mutex_unlock(&interp_lock);
                return NULL;
            }
            gw_logf(NULL, GW_LOG_INFO, "mod_wsgi (pid=%d): Create interpreter '%s'.",
                    (int)gw_pid, name);
            gw_interp *created = setup_interp(name);
            if (!created) {
                PyErr_Clear();
                Py_EndInterpreter(ts);
                PyThreadState_Swap(tls_main);
                pthread_mutex_unlock(&interp_lock);
                return NULL;
            }
            run_bootstrap(created);
            interps[id] = created;
            tls_ts[id] = ts;
            tls_gen[id] = created->gen;
            pthread_mutex_unlock(&interp_lock);
            return created;
        }
        pthread_mutex_unlock(&interp_lock);
    }
    in = interps[id];
    PyThreadState *ts = PyThreadState_New(in->istate);
    tls_ts[id] = ts;
    tls_gen[id] = in->gen;
    PyThreadState_Swap(ts);
    return in;
}

/* ---------------------------------------------------------------- */
/* Start-up and shut-down.                                            */

static int status_error(PyStatus st, const char *what, char *err, size_t errlen)
{
    if (!PyStatus_Exception(st))
        return 0;
    snprintf(err, errlen, "%s: %s%s%s", what, st.func ? st.func : "",
             st.func ? ": " : "", st.err_msg ? st.err_msg : "failed");
    return 1;
}

int gw_init(const gw_config *cfg, char *err, size_t errlen)
{
    PyStatus st;
    PyPreConfig pre;
    PyPreConfig_InitPythonConfig(&pre);
    /* mod_wsgi starts Python with Py_Initialize, whose compat
     * configuration takes the locale as it is: no UTF-8 mode and no
     * coercion of the C locale (under Debian's LANG=C the file system
     * encoding is ascii, which WSGIDaemonProcess lang= and locale=
     * exist to change). */
    pre.parse_argv = 0;
    pre.utf8_mode = 0;
    pre.coerce_c_locale = 0;
    pre.coerce_c_locale_warn = 0;
    st = Py_PreInitialize(&pre);
    if (status_error(st, "Py_PreInitialize", err, errlen))
        return -1;

    PyConfig c;
    PyConfig_InitPythonConfig(&c);
    c.install_signal_handlers = 0;
    c.faulthandler = 0;
    c.parse_argv = 0;
    char *argv[] = {"mod_wsgi", NULL};
    st = PyConfig_SetBytesArgv(&c, 1, argv);
    if (status_error(st, "argv", err, errlen))
        goto fail;
    if (cfg->program_name && *cfg->program_name) {
        st = PyConfig_SetBytesString(&c, &c.program_name, cfg->program_name);
        if (status_error(st, "program_name", err, errlen))
            goto fail;
    }
    if (cfg->home && *cfg->home) {
        st = PyConfig_SetBytesString(&c, &c.home, cfg->home);
        if (status_error(st, "home", err, errlen))
            goto fail;
    }
    if (cfg->optimize > 0)
        c.optimization_level = cfg->optimize;
    if (cfg->dont_write_bytecode)
        c.write_bytecode = 0;
    if (cfg->use_hash_seed) {
        c.use_hash_seed = 1;
        c.hash_seed = cfg->hash_seed;
    }
    for (const char *w = cfg->warnings; w && *w; w += strlen(w) + 1) {
        wchar_t *ws = Py_DecodeLocale(w, NULL);
        if (ws) {
            PyWideStringList_Append(&c.warnoptions, ws);
            PyMem_RawFree(ws);
        }
    }
    st = Py_InitializeFromConfig(&c);
    if (status_error(st, "Py_InitializeFromConfig", err, errlen))
        goto fail;
    PyConfig_Clear(&c);

    gw_pid = getpid();
    log_fd = cfg->log_fd;
    gw_multithread = cfg->multithread;
    gw_multiprocess = cfg->multiprocess;
    gw_run_once = cfg->run_once;
    bootstrap_code = strdup(cfg->bootstrap);
    bootstrap_settings = strdup(cfg->settings);

    tls_main = PyThreadState_Get();
    gw_logf(NULL, GW_LOG_INFO, "mod_wsgi (pid=%d): Attach interpreter ''.", (int)gw_pid);
    gw_interp *in = setup_interp("");
    if (!in) {
        snprintf(err, errlen, "cannot set up the main interpreter");
        PyErr_Clear();
        PyEval_SaveThread();
        return -1;
    }
    run_bootstrap(in);
    interps[0] = in;
    PyEval_SaveThread();
    return 0;
fail:
    PyConfig_Clear(&c);
    return -1;
}

/* gw_finalize runs on the thread that called gw_init, after every request
 * finished. With destroy it runs each interpreter's atexit callbacks, the
 * part of WSGIDestroyInterpreter applications observe; interpreters are
 * not torn down (on Python 3.11 that hangs, mod_wsgi's known problem),
 * the process exits instead. */
void gw_finalize(int destroy)
{
    if (!destroy || !tls_main)
        return;
    PyEval_RestoreThread(tls_main);
    for (int id = GW_MAX_INTERP - 1; id >= 0; id--) {
        gw_interp *in = interps[id];
        if (!in)
            continue;
        if (id != 0) {
            if (!tls_ts[id] || tls_gen[id] != in->gen) {
                tls_ts[id] = PyThreadState_New(in->istate);
                tls_gen[id] = in->gen;
            }
            PyThreadState_Swap(tls_ts[id]);
        }
        gw_logf(NULL, GW_LOG_INFO, "mod_wsgi (pid=%d): Destroy interpreter '%s'.",
                (int)gw_pid, in->name);
        PyObject *r = PyRun_String("import atexit\natexit._run_exitfuncs()\n",
                                   Py_file_input, PyEval_GetBuiltins(), NULL);
        if (!r) {
            PyObject *g = PyDict_New();
            PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins());
            PyErr_Clear();
            r = PyRun_String("import atexit\natexit._run_exitfuncs()\n", Py_file_input, g, g);
            Py_DECREF(g);
        }
        if (!r)
            gw_log_exception(NULL, NULL, "<atexit>");
        Py_XDECREF(r);
        PyThreadState_Swap(tls_main);
    }
    gw_logf(NULL, GW_LOG_INFO, "mod_wsgi (pid=%d): Python has shutdown.", (int)gw_pid);
    PyEval_SaveThread();
}

gw_req *gw_req_new(uintptr_t handle, int thread_id)
{
    gw_req *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->handle = handle;
    req->thread_id = thread_id;
    return req;
}

void gw_req_free(gw_req *req)
{
    if (!req)
        return;
    gw_buf_free(&req->status_line);
    gw_buf_free(&req->headers);
    gw_buf_free(&req->body);
    free(req);
}

/* ---------------------------------------------------------------- */
/* The packed call (see engine.go, packCall).                          */

typedef struct {
    const char *p, *e;
    int bad;
} reader;

static uint32_t rd_u32(reader *r)
{
    uint32_t v = 0;
    if (r->e - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static long long rd_i64(reader *r)
{
    long long v = 0;
    if (r->e - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 8);
    r->p += 8;
    return v;
}

/* rd_str returns a NUL-terminated copy in the caller's arena. */
static const char *rd_bytes(reader *r, uint32_t n)
{
    if ((uint32_t)(r->e - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    const char *s = r->p;
    r->p += n;
    return s;
}

typedef struct {
    int interp_id;
    /* NUL-terminated strings inside the call buffer. */
    const char *interp, *script, *module, *callable, *group;
    long long mtime, total_requests;
    uint32_t flags;
    reader env;
} call_info;

#define CALL_RELOAD 1

/* rd_cstr reads a string packed with its terminating NUL. */
static const char *rd_cstr(reader *r)
{
    uint32_t n = rd_u32(r);
    const char *s = rd_bytes(r, n + 1);
    if (r->bad || s[n] != 0) {
        r->bad = 1;
        return "";
    }
    return s;
}

static int parse_call(gw_req *req, const char *p, size_t len, call_info *ci)
{
    reader r = {p, p + len, 0};
    memset(ci, 0, sizeof *ci);
    ci->interp_id = (int)rd_u32(&r);
    ci->interp = rd_cstr(&r);
    ci->script = rd_cstr(&r);
    ci->module = rd_cstr(&r);
    ci->callable = rd_cstr(&r);
    ci->group = rd_cstr(&r);
    const char *client = rd_cstr(&r);
    if (r.bad)
        return 0;
    if (req) {
        size_t n = strlen(client);
        if (n >= sizeof req->client)
            n = sizeof req->client - 1;
        memcpy(req->client, client, n);
        req->client[n] = 0;
    }
    ci->mtime = rd_i64(&r);
    ci->total_requests = rd_i64(&r);
    ci->flags = rd_u32(&r);
    ci->env = r;
    return !r.bad && ci->interp_id >= 0 && ci->interp_id < GW_MAX_INTERP;
}

/* ---------------------------------------------------------------- */
/* Loading scripts (wsgi_load_source, wsgi_reload_required).          */

static PyObject *load_source(gw_req *req, call_info *ci, PyObject *name, int exists)
{
    const char *what = exists ? "Reloading WSGI script" : "Loading Python script file";
    gw_logf(req, GW_LOG_INFO, "mod_wsgi (pid=%d, process='%s', application='%s'): %s '%s'.",
            (int)gw_pid, ci->group, ci->interp, what, ci->script);
    PyObject *code = NULL, *source = NULL;
    PyObject *io = PyImport_ImportModule("io");
    PyObject *f = io ? PyObject_CallMethod(io, "open", "ss", ci->script, "rb") : NULL;
    Py_XDECREF(io);
    if (f) {
        source = PyObject_CallMethod(f, "read", NULL);
        /* A failed read's error is the one to report, not close()'s. */
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        PyObject *r = PyObject_CallMethod(f, "close", NULL);
        Py_XDECREF(r);
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
        Py_DECREF(f);
    }
    if (source && PyBytes_Check(source))
        code = Py_CompileString(PyBytes_AS_STRING(source), ci->script, Py_file_input);
    Py_XDECREF(source);
    if (!code) {
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d, process='%s', application='%s'): "
                "Could not read/compile source file '%s'.", (int)gw_pid, ci->group,
                ci->interp, ci->script);
        gw_log_exception(req, NULL, ci->script);
        return NULL;
    }
    PyObject *m = PyImport_ExecCodeModuleObject(name, code, NULL, NULL);
    Py_DECREF(code);
    if (m) {
        PyObject *mt = PyLong_FromLongLong(ci->mtime);
        if (mt) {
            PyObject_SetAttrString(m, "__mtime__", mt);
            Py_DECREF(mt);
        }
        PyErr_Clear();
        return m;
    }
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): SystemExit exception raised when "
                "doing exec of Python script file '%s'.", (int)gw_pid, ci->script);
    } else {
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Failed to exec Python script file '%s'.",
                (int)gw_pid, ci->script);
        gw_log_exception(req, NULL, ci->script);
    }
    return NULL;
}

/* module_attr returns a new reference to attribute name of a script's
   module, or NULL (no exception set) when it has none. A script may put
   another object in its sys.modules entry; its attributes are looked up
   too (PyModule_GetDict would fail on it, and a NULL dict crash). */
static PyObject *module_attr(PyObject *module, PyObject *name)
{
    PyObject *v;
    if (PyModule_Check(module)) {
        v = PyDict_GetItemWithError(PyModule_GetDict(module), name);
        Py_XINCREF(v);
    } else {
        v = PyObject_GetAttr(module, name);
    }
    if (!v)
        PyErr_Clear();
    return v;
}

static int reload_required(gw_interp *in, gw_req *req, call_info *ci, PyObject *module)
{
    PyObject *mt = module_attr(module, in->str[S_MTIME]);
    int stale = !mt || PyLong_AsLongLong(mt) != ci->mtime;
    Py_XDECREF(mt);
    if (stale) {
        PyErr_Clear();
        return 1;
    }
    PyObject *hook = module_attr(module, in->str[S_RELOAD_REQUIRED]);
    if (hook) {
        PyObject *path = PyUnicode_DecodeFSDefault(ci->script);
        PyObject *res = path ? PyObject_CallOneArg(hook, path) : NULL;
        Py_XDECREF(path);
        Py_DECREF(hook);
        int yes = res && PyObject_IsTrue(res) == 1;
        Py_XDECREF(res);
        if (yes)
            return 1;
        if (PyErr_Occurred())
            gw_log_exception(req, NULL, ci->script);
    }
    return 0;
}

/* load_module returns the script's module, loading or reloading it. */
static PyObject *load_module(gw_interp *in, gw_req *req, call_info *ci)
{
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&module_lock);
    Py_END_ALLOW_THREADS
    PyObject *name = gw_latin1(in, ci->module, strlen(ci->module));
    PyObject *module = name ? PyDict_GetItemWithError(in->modules, name) : NULL;
    Py_XINCREF(module);
    int exists = module != NULL;
    if (module && (ci->flags & CALL_RELOAD) && reload_required(in, req, ci, module)) {
        Py_CLEAR(module);
        if (PyDict_DelItem(in->modules, name) < 0)
            PyErr_Clear();
    }
    if (!module && name && !PyErr_Occurred())
        module = load_source(req, ci, name, exists);
    pthread_mutex_unlock(&module_lock);
    Py_XDECREF(name);
    return module;
}

/* ---------------------------------------------------------------- */
/* Running the application (Adapter_run).                             */

static long long now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int set_str(gw_interp *in, PyObject *d, PyObject *key, const char *v, size_t n)
{
    PyObject *o = gw_latin1(in, v, n);
    if (!o)
        return 0;
    int rc = PyDict_SetItem(d, key, o);
    Py_DECREF(o);
    return rc == 0;
}

/* set_obj stores o (a new reference, or NULL after an error). */
static int set_obj(PyObject *d, PyObject *key, PyObject *o)
{
    if (!o)
        return 0;
    int rc = PyDict_SetItem(d, key, o);
    Py_DECREF(o);
    return rc == 0;
}

static PyObject *build_environ(gw_interp *in, gw_req *req, call_info *ci,
                               PyObject *input, PyObject *log)
{
    reader *r = &ci->env;
    uint32_t count = rd_u32(r);
    PyObject *env = _PyDict_NewPresized((Py_ssize_t)count + 16);
    if (!env)
        return NULL;
    const char *scheme = NULL;
    uint32_t scheme_n = 0;
    for (uint32_t i = 0; i < count && !r->bad; i++) {
        uint32_t k = rd_u32(r);
        PyObject *key;
        if (k & 0x80000000u) {
            uint32_t id = k & 0xffff;
            if (id >= (uint32_t)NKNOWN)
                goto bad;
            if (id == KEY_URL_SCHEME) {
                scheme_n = rd_u32(r);
                scheme = rd_bytes(r, scheme_n);
                continue;
            }
            key = in->keys[id];
            Py_INCREF(key);
        } else {
            const char *kb = rd_bytes(r, k);
            if (r->bad)
                goto bad;
            key = gw_latin1(in, kb, k);
            if (!key)
                goto fail;
        }
        uint32_t vn = rd_u32(r);
        const char *vb = rd_bytes(r, vn);
        if (r->bad) {
            Py_DECREF(key);
            goto bad;
        }
        int ok = set_str(in, env, key, vb, vn);
        Py_DECREF(key);
        if (!ok)
            goto fail;
    }
    if (r->bad)
        goto bad;
    char start[32];
    req->script_start = now_us();
    int sn = snprintf(start, sizeof start, "%lld", req->script_start);
    PyObject **k = in->str;
    if (!set_str(NULL, env, k[S_SCRIPT_START], start, (size_t)sn))
        goto fail;
    Py_INCREF(in->wsgi_version);
    Py_INCREF(in->apache_version);
    Py_INCREF(in->modwsgi_version);
    Py_INCREF(in->wrapper_type);
    Py_INCREF(input);
    Py_INCREF(log);
    if (!set_obj(env, k[S_WSGI_VERSION], in->wsgi_version) ||
        !set_obj(env, k[S_WSGI_MULTITHREAD], PyBool_FromLong(gw_multithread)) ||
        !set_obj(env, k[S_WSGI_MULTIPROCESS], PyBool_FromLong(gw_multiprocess)) ||
        !set_obj(env, k[S_WSGI_RUN_ONCE], PyBool_FromLong(gw_run_once)) ||
        (scheme && !set_str(in, env, in->keys[KEY_URL_SCHEME], scheme, scheme_n)) ||
        !set_obj(env, k[S_WSGI_ERRORS], log) ||
        !set_obj(env, k[S_WSGI_INPUT], input) ||
        !set_obj(env, k[S_WSGI_INPUT_TERMINATED], PyBool_FromLong(1)) ||
        !set_obj(env, k[S_WSGI_FILE_WRAPPER], in->wrapper_type) ||
        !set_obj(env, k[S_APACHE_VERSION], in->apache_version) ||
        !set_obj(env, k[S_MODWSGI_VERSION], in->modwsgi_version) ||
        !set_obj(env, k[S_TOTAL_REQUESTS], PyLong_FromLongLong(ci->total_requests)) ||
        !set_obj(env, k[S_THREAD_ID], PyLong_FromLong(req->thread_id)) ||
        !set_obj(env, k[S_THREAD_REQUESTS], PyLong_FromLongLong(req->thread_requests)))
        goto fail;
    return env;
bad:
    PyErr_SetString(PyExc_RuntimeError, "gowsgid: malformed request from the server");
fail:
    Py_DECREF(env);
    return NULL;
}

/* collect buffers the items of a list or tuple iterator: the common
 * response shape, sent by Go in one write after gw_run returns. Only an
 * exact list or tuple is collected: a subclass may have a close(), which
 * mod_wsgi calls once the body went out (and which may write more). It
 * returns 1 when the whole body is buffered, 0 on an error (set). */
static int collect(gw_req *req, PyObject *it)
{
    PyObject *item;
    gw_buf_reset(&req->body);
    long long total = 0;
    while ((item = PyIter_Next(it))) {
        if (!PyBytes_Check(item)) {
            /* mod_wsgi would have sent the earlier items already. */
            int ok = 1;
            if (req->body.len)
                ok = gw_output(req, req->body.p, (Py_ssize_t)req->body.len, 0);
            gw_buf_reset(&req->body);
            if (ok || !PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "sequence of byte string values expected, "
                             "value of type %.200s found", Py_TYPE(item)->tp_name);
            Py_DECREF(item);
            return 0;
        }
        Py_ssize_t n = PyBytes_GET_SIZE(item);
        if (n && !gw_buf_append(&req->body, PyBytes_AS_STRING(item), (size_t)n)) {
            Py_DECREF(item);
            PyErr_NoMemory();
            return 0;
        }
        total += n;
        Py_DECREF(item);
    }
    if (PyErr_Occurred())
        return 0;
    if (!(req->flags & GW_STARTED)) {
        PyErr_SetString(PyExc_RuntimeError, "response has not been started");
        return 0;
    }
    if (!gw_prepare_headers(req))
        return 0;
    req->output_length = total;
    if ((req->flags & GW_CL_SET) && (long long)req->body.len > req->content_length)
        req->body.len = (size_t)req->content_length;
    req->flags |= GW_BUFFERED;
    return 1;
}

/* call_close calls the iterable's close(), if it has one. */
static void call_close(gw_interp *in, gw_req *req, PyObject *log, PyObject *seq,
                       const char *script)
{
    if (PyList_CheckExact(seq) || PyTuple_CheckExact(seq) || PyBytes_CheckExact(seq))
        return;
    PyObject *close = NULL;
    if (gw_lookup_attr(seq, in->str[S_CLOSE], &close) <= 0) {
        if (PyErr_Occurred())
            gw_log_exception(req, log, script);
        return;
    }
    PyObject *r = PyObject_CallNoArgs(close);
    Py_DECREF(close);
    Py_XDECREF(r);
    if (PyErr_Occurred())
        gw_log_exception(req, log, script);
}

static void run_app(gw_interp *in, gw_req *req, call_info *ci, PyObject *app)
{
    int id = ci->interp_id;
    PyObject *input = gw_input_new(in, req);
    PyObject *logbuf = req->logbuf_cache[id];
    PyObject *log = req->log_cache[id];
    if (logbuf) {
        gw_logbuf_rearm(logbuf, req);
    } else {
        logbuf = gw_logbuf_new(in, req, GW_LOG_ERR, "<wsgi.errors>", 0);
        log = logbuf ? gw_log_wrapper(in, logbuf) : NULL;
        if (!log)
            Py_CLEAR(logbuf);
        req->logbuf_cache[id] = logbuf;
        req->log_cache[id] = log;
    }
    PyObject *adapter = NULL, *start = NULL, *env = NULL, *seq = NULL;
    if (!input || !log)
        goto error;
    adapter = gw_adapter_new(in, req, &start);
    if (!adapter)
        goto error;
    env = build_environ(in, req, ci, input, log);
    if (!env)
        goto error;
    gw_current_log = logbuf;

    seq = PyObject_CallFunctionObjArgs(app, env, start, NULL);

    req->thread_requests++;
    if (!seq) {
        if (req->flags & GW_SENT)
            req->flags |= GW_RAISED_SENT;
        gw_log_exception(req, log, ci->script);
        goto finish;
    }
    int aborted = 0;
    if (gw_is_wrapper(in, seq) && gw_send_wrapper(in, req, seq)) {
        /* sent (or failed with an exception set) */
    } else {
        PyObject *it = PyObject_GetIter(seq);
        if (it) {
            if (((PyList_CheckExact(seq) && Py_TYPE(it) == &PyListIter_Type) ||
                 (PyTuple_CheckExact(seq) && Py_TYPE(it) == &PyTupleIter_Type)) &&
                !(req->flags & (GW_SENT | GW_HEADERS)) && req->output_length == 0) {
                collect(req, it);
            } else {
                PyObject *item;
                while ((item = PyIter_Next(it))) {
                    if (!PyBytes_Check(item)) {
                        PyErr_Format(PyExc_TypeError, "sequence of byte string values "
                                     "expected, value of type %.200s found",
                                     Py_TYPE(item)->tp_name);
                        Py_DECREF(item);
                        break;
                    }
                    Py_ssize_t n = PyBytes_GET_SIZE(item);
                    if (n && !gw_output(req, PyBytes_AS_STRING(item), n, 0)) {
                        if (!PyErr_Occurred())
                            aborted = 1;
                        Py_DECREF(item);
                        break;
                    }
                    Py_DECREF(item);
                }
                if (!PyErr_Occurred() && !aborted && gw_output(req, "", 0, 0) &&
                    !(req->flags & GW_SENT)) {
                    /* Nothing but empty items: the headers go out with
                       the (empty) body, as a collected list's do. */
                    gw_buf_reset(&req->body);
                    req->flags |= GW_BUFFERED;
                }
            }
            Py_DECREF(it);
        }
    }
    if ((req->flags & GW_CL_SET) &&
        ((!PyErr_Occurred() && !aborted && req->output_length != req->content_length) ||
         req->output_length > req->content_length))
        gw_logf(req, GW_LOG_DEBUG, "mod_wsgi (pid=%d): Content length mismatch, expected "
                "%lld, response generated %lld: %s", (int)gw_pid, req->content_length,
                req->output_length, ci->script);
    if (PyErr_Occurred()) {
        if (req->flags & (GW_SENT | GW_BUFFERED))
            req->flags |= GW_FAILED;
        else if (req->flags & GW_HEADERS) {
            /* The headers were handed over, no body sent: mod_wsgi
               returns OK and the response ends empty. */
            gw_buf_reset(&req->body);
            req->output_length = 0;
            req->flags |= GW_BUFFERED;
        }
        gw_log_exception(req, log, ci->script);
    }
    call_close(in, req, log, seq, ci->script);
    goto finish;

error:
    gw_log_exception(req, log, ci->script);
finish:
    if (!(req->flags & (GW_SENT | GW_BUFFERED)))
        req->result = 500;
    else if ((req->flags & GW_BUFFERED) && (req->flags & GW_FAILED)) {
        /* An error after the body was collected (close()): still sent. */
        req->flags &= ~GW_FAILED;
    }
    Py_XDECREF(seq);
    /* A thread the application started may still be reading the body
       or writing: the request ends once it is out of Go. */
    gw_wait_callbacks(req);
    if (adapter)
        gw_adapter_finish(adapter);
    if (input)
        gw_input_finish(input);
    gw_current_log = NULL;
    Py_XDECREF(env);
    Py_XDECREF(start);
    Py_XDECREF(adapter);
    Py_XDECREF(input);
    if (logbuf) {
        /* What the request left unfinished goes out now. Unless the
         * application kept a reference, the next request reuses them. */
        gw_logbuf_flush(logbuf);
        if (Py_REFCNT(log) == 1 && Py_REFCNT(logbuf) == 2 && !gw_logbuf_expired(logbuf)) {
            gw_logbuf_finish(logbuf);
        } else {
            PyObject *r = PyObject_CallMethod(log, "close", NULL);
            if (!r)
                PyErr_Clear();
            Py_XDECREF(r);
            gw_logbuf_finish(logbuf);
            req->logbuf_cache[id] = NULL;
            req->log_cache[id] = NULL;
            Py_DECREF(log);
            Py_DECREF(logbuf);
        }
    }
}

static void reset_response(gw_req *req)
{
    req->status = 0;
    gw_buf_reset(&req->status_line);
    gw_buf_reset(&req->headers);
    gw_buf_reset(&req->body);
    req->nheaders = 0;
    req->content_length = 0;
    req->output_length = 0;
    req->flags = 0;
    req->result = 0;
    req->script_start = 0;
    req->errmsg[0] = 0;
    req->pre_off = 0;
    req->input_eof = 0;
    req->inflight = 0;
}

void gw_wait_callbacks(gw_req *req)
{
    while (req->inflight > 0) {
        Py_BEGIN_ALLOW_THREADS
        usleep(200);
        Py_END_ALLOW_THREADS
    }
}

/*
 * gw_run runs one request. The response is in req: when req->result is
 * set, nothing was sent and Go answers with that status; when GW_BUFFERED
 * is set, Go sends the status, headers and body; otherwise the response
 * went out through the callbacks (GW_FAILED: it is incomplete;
 * GW_RAISED_SENT: Apache's 500 page follows it).
 */
int gw_run(gw_req *req, const char *call, size_t call_len,
           const char *pre, size_t pre_len, int pre_complete)
{
    call_info ci;
    reset_response(req);
    req->pre = pre;
    req->pre_len = pre_len;
    req->pre_complete = pre_complete;
    if (!parse_call(req, call, call_len, &ci)) {
        req->pre = NULL; /* Go's memory: not kept past the call */
        req->pre_len = 0;
        req->result = 500;
        return -1;
    }
    gw_interp *in = attach(ci.interp_id, ci.interp);
    gw_current = req;
    if (!in) {
        gw_logf(req, GW_LOG_CRIT, "mod_wsgi (pid=%d): Cannot acquire interpreter '%s'.",
                (int)gw_pid, ci.interp);
        req->result = 500;
        goto out;
    }
    PyObject *module = load_module(in, req, &ci);
    if (!module) {
        if (PyErr_Occurred())
            gw_log_exception(req, NULL, ci.script);
        req->result = 500;
        goto out;
    }
    PyObject *name = gw_latin1(in, ci.callable, strlen(ci.callable));
    PyObject *app = name ? module_attr(module, name) : NULL;
    Py_XDECREF(name);
    if (!app) {
        PyErr_Clear();
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Target WSGI script '%s' does not "
                "contain WSGI application '%s'.", (int)gw_pid, ci.script, ci.callable);
        req->result = 404;
    } else {
        run_app(in, req, &ci, app);
        Py_DECREF(app);
    }
    Py_DECREF(module);
    if (PyErr_Occurred())
        gw_log_exception(req, NULL, ci.script);
out:
    gw_current = NULL;
    gw_current_log = NULL;
    req->pre = NULL;
    req->pre_len = 0;
    PyEval_SaveThread();
    return 0;
}

/* gw_lib_path is the file libpython was loaded from. */
const char *gw_lib_path(void)
{
    Dl_info info;
    if (dladdr((void *)&Py_Initialize, &info) && info.dli_fname)
        return info.dli_fname;
    return NULL;
}

/* gw_import is WSGIImportScript: load a script into its interpreter at
 * start-up. Errors are logged and ignored. */
int gw_import(const char *call, size_t call_len)
{
    call_info ci;
    if (!parse_call(NULL, call, call_len, &ci)) {
        return -1;
    }
    gw_interp *in = attach(ci.interp_id, ci.interp);
    int rc = -1;
    if (in) {
        PyObject *module = load_module(in, NULL, &ci);
        if (module)
            rc = 0;
        else if (PyErr_Occurred())
            gw_log_exception(NULL, NULL, ci.script);
        Py_XDECREF(module);
    }
    PyErr_Clear();
    PyEval_SaveThread();
    return rc;
}

/* ---------------------------------------------------------------- */
/* Authentication hooks (WSGIAccessScript, WSGIAuthUserScript,        */
/* WSGIAuthGroupScript).                                              */

static const char *hook_function[] = {NULL, "allow_access", "check_password", "groups_for_user",
                                      "process_group", "application_group", "callable_object",
                                      "get_realm_hash"};
/* NULL: the function is optional (the dispatch script's). */
static const char *hook_missing[] = {
    NULL,
    "mod_wsgi (pid=%d): Target WSGI host access script '%s' does not provide host validator.",
    "mod_wsgi (pid=%d): Target WSGI user authentication script '%s' does not provide 'Basic' auth provider.",
    "mod_wsgi (pid=%d): Target WSGI group authentication script '%s' does not provide group provider.",
    NULL, NULL, NULL,
    "mod_wsgi (pid=%d): Target WSGI user authentication script '%s' does not provide 'Digest' auth provider.",
};
/* What a dispatch function's string names, for its TypeError. */
static const char *dispatch_what[] = {NULL, NULL, NULL, NULL, "Process group", "Application group",
                                      "Callable object", NULL};

/* hook_result turns what a hook returned into req->result (and req->body). */
static void hook_result(gw_req *req, int kind, PyObject *res, const char *script)
{
    switch (kind) {
    case GW_HOOK_ACCESS:
        if (res == Py_None)
            req->result = GW_HOOK_DECLINED;
        else if (res == Py_True)
            req->result = GW_HOOK_YES;
        else if (res == Py_False)
            req->result = GW_HOOK_NO;
        else
            gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Indicator of host accessibility "
                    "returned from '%s' must a boolean or None.", (int)gw_pid, script);
        return;
    case GW_HOOK_PASSWORD:
        if (res == Py_None)
            req->result = GW_HOOK_DECLINED;
        else if (res == Py_True)
            req->result = GW_HOOK_YES;
        else if (res == Py_False)
            req->result = GW_HOOK_NO;
        else if (PyUnicode_Check(res)) {
            Py_ssize_t n;
            const char *u = PyUnicode_AsUTF8AndSize(res, &n);
            if (u && gw_buf_append(&req->body, u, (size_t)n))
                req->result = GW_HOOK_RENAMED;
        } else
            PyErr_SetString(PyExc_TypeError, "Basic auth provider must return True, "
                            "False None or user name as string");
        return;
    case GW_HOOK_REALM_HASH: {
        /* None: no such user; bytes, or a str of latin-1, the hash (up to
         * a NUL, as mod_wsgi copies it as a C string). */
        PyObject *b = NULL;
        if (res == Py_None) {
            req->result = GW_HOOK_DECLINED;
            return;
        }
        if (PyBytes_Check(res)) {
            b = res;
            Py_INCREF(b);
        } else if (PyUnicode_Check(res)) {
            b = PyUnicode_AsLatin1String(res);
            if (!b) {
                PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "Digest auth provider must return None "
                                "or string object, value containing non 'latin-1' characters found");
                return;
            }
        } else {
            PyErr_SetString(PyExc_TypeError, "Digest auth provider must return None or string object");
            return;
        }
        if (gw_buf_append(&req->body, PyBytes_AS_STRING(b), strlen(PyBytes_AS_STRING(b))))
            req->result = GW_HOOK_RENAMED;
        Py_DECREF(b);
        return;
    }
    case GW_HOOK_DISPATCH_PROCESS:
    case GW_HOOK_DISPATCH_APPLICATION:
    case GW_HOOK_DISPATCH_CALLABLE: {
        /* None keeps the setting; a string (latin-1) replaces it. */
        if (res == Py_None) {
            req->result = GW_HOOK_DECLINED;
            return;
        }
        if (!PyUnicode_Check(res)) {
            PyErr_Format(PyExc_TypeError, "%s must be a byte string", dispatch_what[kind]);
            return;
        }
        PyObject *b = PyUnicode_AsLatin1String(res);
        if (!b) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be a byte string, value containing non "
                         "'latin-1' characters found", dispatch_what[kind]);
            return;
        }
        if (gw_buf_append(&req->body, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b)))
            req->result = GW_HOOK_RENAMED;
        Py_DECREF(b);
        return;
    }
    case GW_HOOK_GROUPS: {
        PyObject *it = PyObject_GetIter(res);
        PyObject *item;
        int n = 0;
        if (!it) {
            PyErr_Clear();
            goto bad;
        }
        while ((item = PyIter_Next(it))) {
            /* str (latin-1) or bytes, as mod_wsgi takes them. */
            PyObject *b = NULL;
            if (PyUnicode_Check(item)) {
                b = PyUnicode_AsLatin1String(item);
                if (!b) {
                    PyErr_Clear();
                    Py_DECREF(item);
                    Py_DECREF(it);
                    gw_buf_reset(&req->body);
                    gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Groups for user returned from '%s' must "
                            "be an iterable sequence of byte strings, value containing non 'latin-1' "
                            "characters found", (int)gw_pid, script);
                    return;
                }
            } else if (PyBytes_Check(item)) {
                b = item;
                Py_INCREF(b);
            }
            Py_DECREF(item);
            if (!b) {
                Py_DECREF(it);
                goto bad;
            }
            gw_buf_append(&req->body, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b) + 1);
            Py_DECREF(b);
            n++;
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return;
        req->result = n;
        return;
    bad:
        gw_buf_reset(&req->body);
        gw_logf(req, GW_LOG_ERR, "mod_wsgi (pid=%d): Groups for user returned from '%s' must "
                "be an iterable sequence of byte strings.", (int)gw_pid, script);
        return;
    }
    }
}

/*
 * gw_hook runs a hook of a script: allow_access(environ, host),
 * check_password(environ, user, password) or groups_for_user(environ,
 * user). The verdict is left in req->result (GW_HOOK_*, or the number of
 * groups, NUL-separated in req->body, where a renamed user goes too);
 * GW_HOOK_ERROR when the hook failed, which is logged.
 */
int gw_hook(gw_req *req, const char *call, size_t call_len, int kind,
            const char *arg1, const char *arg2)
{
    call_info ci;
    reset_response(req);
    req->result = GW_HOOK_ERROR;
    req->pre = NULL;
    req->pre_len = 0;
    req->pre_complete = 1;
    if (kind < GW_HOOK_ACCESS || kind > GW_HOOK_REALM_HASH || !parse_call(req, call, call_len, &ci))
        return -1;
    gw_interp *in = attach(ci.interp_id, ci.interp);
    gw_current = req;
    PyObject *module = NULL, *func = NULL, *input = NULL, *logbuf = NULL, *log = NULL;
    PyObject *env = NULL, *res = NULL;
    if (!in) {
        gw_logf(req, GW_LOG_CRIT, "mod_wsgi (pid=%d): Cannot acquire interpreter '%s'.",
                (int)gw_pid, ci.interp);
        goto out;
    }
    module = load_module(in, req, &ci);
    if (!module) {
        if (PyErr_Occurred())
            gw_log_exception(req, NULL, ci.script);
        goto out;
    }
    PyObject *fname = PyUnicode_FromString(hook_function[kind]);
    func = fname ? module_attr(module, fname) : NULL;
    Py_XDECREF(fname);
    if (!func) {
        if (hook_missing[kind])
            gw_logf(req, GW_LOG_ERR, hook_missing[kind], (int)gw_pid, ci.script);
        else
            req->result = GW_HOOK_DECLINED;
        goto out;
    }
    input = gw_input_new(in, req);
    logbuf = gw_logbuf_new(in, req, GW_LOG_ERR, "<wsgi.errors>", 0);
    log = logbuf ? gw_log_wrapper(in, logbuf) : NULL;
    env = (input && log) ? build_environ(in, req, &ci, input, log) : NULL;
    if (env) {
        gw_current_log = logbuf;
        if (kind == GW_HOOK_PASSWORD || kind == GW_HOOK_REALM_HASH)
            res = PyObject_CallFunction(func, "Oss", env, arg1, arg2);
        else if (kind >= GW_HOOK_DISPATCH_PROCESS)
            res = PyObject_CallFunctionObjArgs(func, env, NULL);
        else
            res = PyObject_CallFunction(func, "Os", env, arg1);
        if (res)
            hook_result(req, kind, res, ci.script);
    }
    if (PyErr_Occurred()) {
        req->result = GW_HOOK_ERROR;
        gw_log_exception(req, log, ci.script);
    }
    gw_wait_callbacks(req);
    if (input)
        gw_input_finish(input);
    if (log) {
        PyObject *r = PyObject_CallMethod(log, "close", NULL);
        if (!r)
            PyErr_Clear();
        Py_XDECREF(r);
    }
out:
    /* Before anything is released: a __del__ that runs as func or the
       module goes may print, and must find no buffer of this request
       (nor a buffer still pointing at its slot). */
    gw_current_log = NULL;
    if (logbuf)
        gw_logbuf_finish(logbuf);
    Py_XDECREF(res);
    Py_XDECREF(env);
    Py_XDECREF(log);
    Py_XDECREF(logbuf);
    Py_XDECREF(input);
    Py_XDECREF(func);
    Py_XDECREF(module);
    PyErr_Clear();
    gw_current = NULL;
    PyEval_SaveThread();
    return 0;
}

/* gw_probe_gil takes the main interpreter's GIL and gives it back: the
 * daemon process's deadlock timer. The calling thread must be one that
 * runs nothing else. */
void gw_probe_gil(void)
{
    PyGILState_STATE st = PyGILState_Ensure();
    PyGILState_Release(st);
}

/* gw_stack_lines appends to buf the lines mod_wsgi's daemon logs for
 * one thread's stack (wsgi_log_stack_traces): the innermost frame
 * "executing", the outer ones "called from", the outermost ending in a
 * full stop and the others in a comma. Each line ends in a newline. */
static void gw_stack_lines(PyObject *buf, long long thread_id, PyFrameObject *frame)
{
    PyFrameObject *current = frame;
    Py_XINCREF(current);
    while (current) {
        PyCodeObject *code = PyFrame_GetCode(current);
        PyFrameObject *back = PyFrame_GetBack(current);
        const char *filename = PyUnicode_AsUTF8(code->co_filename);
        const char *name = PyUnicode_AsUTF8(code->co_name);
        PyObject *line;
        if (!filename || !name) {
            PyErr_Clear();
            filename = filename ? filename : "?";
            name = name ? name : "?";
        }
        if (current == frame)
            line = PyUnicode_FromFormat("Thread %lld executing file \"%s\", line %d, in %s\n",
                                        thread_id, filename, PyFrame_GetLineNumber(current), name);
        else
            line = PyUnicode_FromFormat("called from file \"%s\", line %d, in %s%s\n",
                                        filename, PyFrame_GetLineNumber(current), name,
                                        back ? "," : ".");
        if (line) {
            PyList_Append(buf, line);
            Py_DECREF(line);
        }
        Py_DECREF(code);
        Py_DECREF(current);
        current = back;
    }
}

/* gw_dump_stacks returns, in memory the caller frees, the lines of
 * mod_wsgi's stack dump for every thread running Python code in any
 * interpreter, each ending in a newline; NULL when there are none. It
 * takes the main interpreter's GIL: the calling thread must be one that
 * runs nothing else, and it has no Python frame of its own to show. */
char *gw_dump_stacks(void)
{
    PyGILState_STATE st = PyGILState_Ensure();
    char *out = NULL;
    PyObject *current_frames = PySys_GetObject("_current_frames"); /* borrowed */
    PyObject *threads = current_frames ? PyObject_CallNoArgs(current_frames) : NULL;
    PyObject *buf = PyList_New(0);
    if (threads && buf && PyDict_Check(threads)) {
        PyObject *id, *frame;
        Py_ssize_t pos = 0;
        while (PyDict_Next(threads, &pos, &id, &frame)) {
            if (PyFrame_Check(frame))
                gw_stack_lines(buf, PyLong_AsLongLong(id), (PyFrameObject *)frame);
        }
        PyObject *empty = PyUnicode_FromString("");
        PyObject *text = empty ? PyUnicode_Join(empty, buf) : NULL;
        const char *utf8 = text ? PyUnicode_AsUTF8(text) : NULL;
        if (utf8 && *utf8)
            out = strdup(utf8);
        Py_XDECREF(text);
        Py_XDECREF(empty);
    }
    PyErr_Clear();
    Py_XDECREF(buf);
    Py_XDECREF(threads);
    PyGILState_Release(st);
    return out;
}

/* gw_set_thread_stack_size makes size the stack of the threads created
 * from now on (Go's threads for cgo calls and Python's): mod_wsgi's
 * stack-size. */
int gw_set_thread_stack_size(size_t size)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc)
        return rc;
    rc = pthread_attr_setstacksize(&attr, size);
    if (!rc)
        rc = pthread_setattr_default_np(&attr);
    pthread_attr_destroy(&attr);
    return rc;
}
