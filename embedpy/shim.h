/*
 * The C half of gowsgid's embedded Python engine.
 *
 * Go calls gw_run once per request on whatever OS thread its goroutine is
 * on. gw_run attaches the thread state cached for that thread and the
 * request's interpreter, runs the WSGI application and detaches again.
 * The GIL is held only inside gw_run and is released around every call
 * back into Go (reading the request body, sending the response, logging).
 *
 * Objects follow mod_wsgi 4.9's behaviour and messages (mod_wsgi.Input,
 * the wsgi.errors log buffer, start_response, write, FileWrapper).
 */
#ifndef GOWSGID_SHIM_H
#define GOWSGID_SHIM_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stddef.h>

/* Apache log levels, as the Go side numbers them. */
enum {
    GW_LOG_EMERG = 0, GW_LOG_ALERT, GW_LOG_CRIT, GW_LOG_ERR,
    GW_LOG_WARNING, GW_LOG_NOTICE, GW_LOG_INFO, GW_LOG_DEBUG
};

/* The most interpreters (application groups) one process holds. */
#define GW_MAX_INTERP 256

/* Response flags (gw_req.flags). */
enum {
    GW_STARTED = 1 << 0,       /* start_response gave a status */
    GW_SENT = 1 << 1,          /* status and headers went to Go */
    GW_BUFFERED = 1 << 2,      /* the whole body is in gw_req.body */
    GW_ABORTED = 1 << 3,       /* the client went away */
    GW_FAILED = 1 << 4,        /* an exception after the headers were sent */
    GW_CL_SET = 1 << 5,        /* the application gave a Content-Length */
    GW_FILE = 1 << 6,          /* the body went out with gwgo_sendfile */
    GW_HEADERS = 1 << 7,       /* an empty write took the headers (mod_wsgi
                                  copies them to the request and sends
                                  nothing): not sent to Go yet */
    GW_RAISED_SENT = 1 << 8    /* the application callable raised after
                                  write() sent body bytes: mod_wsgi returns
                                  500, and Apache's page follows the body */
};

/* A growable byte buffer in C memory. */
typedef struct {
    char *p;
    size_t len, cap;
} gw_buf;

/*
 * gw_req is one request slot, allocated in C memory by gw_req_new and
 * reused request after request. Go reads the response fields after
 * gwgo_start and after gw_run returns.
 */
typedef struct gw_req {
    uintptr_t handle;       /* the Go slot, for callbacks */
    int thread_id;          /* mod_wsgi.thread_id (1-based) */
    long long thread_requests;

    /* Request inputs, valid while gw_run runs. */
    const char *pre;        /* body bytes read ahead by Go */
    size_t pre_len, pre_off;
    int pre_complete;       /* pre holds the whole body */
    int input_eof;
    char client[80];        /* "127.0.0.1:51234" for log lines */

    /* Response. */
    int status;
    gw_buf status_line;     /* the status line as given, latin-1 */
    gw_buf headers;         /* [u32 len][name][u32 len][value]... latin-1 */
    int nheaders;
    gw_buf body;            /* the body when GW_BUFFERED */
    long long content_length;
    long long output_length;
    int flags;
    int result;             /* 0, or the status to answer with (404, 500) */
    long long script_start; /* mod_wsgi.script_start (microseconds), 0 before the environ */
    /* Threads of the application inside a Go callback of this request
       (changed with the GIL held): the request does not end, and its
       slot is not reused, before they are out (gw_wait_callbacks). */
    int inflight;
    char errmsg[256];       /* a read or write error from Go */

    /* The wsgi.errors buffer and wrapper of each interpreter, reused by
     * the next request on this slot unless the application kept them. */
    PyObject *logbuf_cache[GW_MAX_INTERP];
    PyObject *log_cache[GW_MAX_INTERP];
} gw_req;

/* gw_wait_callbacks waits, with the GIL held and released in turns,
 * until no thread is inside a Go callback of req. */
void gw_wait_callbacks(gw_req *req);

/* Process-wide settings for gw_init. */
typedef struct {
    const char *program_name;   /* sys.executable */
    const char *home;           /* PyConfig.home, or NULL */
    int optimize;
    int dont_write_bytecode;
    int use_hash_seed;
    unsigned long hash_seed;
    const char *warnings;       /* NUL-separated, ends with an empty item */
    int log_fd;                 /* SOCK_SEQPACKET socket for log records */
    const char *bootstrap;      /* Python code run in each interpreter */
    const char *settings;       /* Python literal passed to the bootstrap */
    int multithread, multiprocess, run_once;
} gw_config;

int gw_init(const gw_config *cfg, char *err, size_t errlen);
void gw_finalize(int destroy);
gw_req *gw_req_new(uintptr_t handle, int thread_id);
void gw_req_free(gw_req *req);
int gw_run(gw_req *req, const char *call, size_t call_len,
           const char *pre, size_t pre_len, int pre_complete);
const char *gw_lib_path(void);
int gw_import(const char *call, size_t call_len);
void gw_probe_gil(void);
char *gw_dump_stacks(void);
int gw_set_thread_stack_size(size_t size);

/* Hook kinds and verdicts of gw_hook. */
enum { GW_HOOK_ACCESS = 1, GW_HOOK_PASSWORD, GW_HOOK_GROUPS,
       GW_HOOK_DISPATCH_PROCESS, GW_HOOK_DISPATCH_APPLICATION, GW_HOOK_DISPATCH_CALLABLE,
       GW_HOOK_REALM_HASH };
enum { GW_HOOK_ERROR = -1, GW_HOOK_NO = 0, GW_HOOK_YES = 1, GW_HOOK_DECLINED = 2, GW_HOOK_RENAMED = 3 };
int gw_hook(gw_req *req, const char *call, size_t call_len, int kind,
            const char *arg1, const char *arg2);
int gw_known_keys(const char ***keys);

/* Callbacks into Go (callbacks.go). Always called without the GIL. */
extern long long gwgo_read(uintptr_t handle, char *buf, long long n);
extern int gwgo_start(uintptr_t handle);
extern int gwgo_write(uintptr_t handle, char *p, long long n);
extern int gwgo_sendfile(uintptr_t handle, int fd, long long off, long long n);
extern void gwgo_log(uintptr_t handle, int level, char *p, long long n);

/* Shared between the C files. */
typedef struct gw_interp gw_interp;

/* _PyObject_LookupAttr became PyObject_GetOptionalAttr in 3.13: an
 * attribute lookup that does not raise (or format) AttributeError. */
#if PY_VERSION_HEX >= 0x030D0000
#define gw_lookup_attr PyObject_GetOptionalAttr
#else
#define gw_lookup_attr _PyObject_LookupAttr
#endif

/* Strings every interpreter interns once (gw_interp.str). */
enum {
    S_WSGI_VERSION, S_WSGI_MULTITHREAD, S_WSGI_MULTIPROCESS, S_WSGI_RUN_ONCE,
    S_WSGI_ERRORS, S_WSGI_INPUT, S_WSGI_INPUT_TERMINATED, S_WSGI_FILE_WRAPPER,
    S_APACHE_VERSION, S_MODWSGI_VERSION, S_TOTAL_REQUESTS, S_THREAD_ID,
    S_THREAD_REQUESTS, S_SCRIPT_START, S_CLOSE, S_MTIME, S_RELOAD_REQUIRED,
    GW_NSTR
};

void gw_buf_reset(gw_buf *b);
int gw_buf_append(gw_buf *b, const char *p, size_t n);
void gw_buf_free(gw_buf *b);

void gw_log(gw_req *req, int level, const char *msg, size_t len);
void gw_logf(gw_req *req, int level, const char *fmt, ...);
void gw_log_exception(gw_req *req, PyObject *log, const char *script);

/* The request running on this thread, for sys.stdout/sys.stderr. */
extern __thread gw_req *gw_current;
extern __thread PyObject *gw_current_log;

/* Types and objects of one interpreter (objects.c). */
struct gw_interp {
    char *name;
    PyInterpreterState *istate;
    uint32_t gen;
    PyObject *input_type, *log_type, *adapter_type, *wrapper_type;
    PyObject *text_io_wrapper;  /* io.TextIOWrapper */
    PyObject *wsgi_version, *apache_version, *modwsgi_version;
    PyObject *str_utf8, *str_replace;
    PyObject **keys;            /* interned environ keys (gw_known_keys) */
    PyObject *str[GW_NSTR];
    struct gw_vcache *values;   /* recently seen environ values */
    PyObject *modules;          /* sys.modules */
};

int gw_interp_types(gw_interp *in);
PyObject *gw_latin1(gw_interp *in, const char *p, size_t n);
PyObject *gw_input_new(gw_interp *in, gw_req *req);
void gw_input_finish(PyObject *input);
PyObject *gw_logbuf_new(gw_interp *in, gw_req *req, int level, const char *name, int proxy);
PyObject *gw_log_wrapper(gw_interp *in, PyObject *buffer);
void gw_logbuf_finish(PyObject *buf);
void gw_logbuf_rearm(PyObject *buf, gw_req *req);
void gw_logbuf_flush(PyObject *buf);
int gw_logbuf_expired(PyObject *buf);
PyObject *gw_adapter_new(gw_interp *in, gw_req *req, PyObject **start);
void gw_adapter_finish(PyObject *adapter);
int gw_output(gw_req *req, const char *data, Py_ssize_t len, int raise_on_abort);
int gw_commit(gw_req *req);
int gw_prepare_headers(gw_req *req);
int gw_is_wrapper(gw_interp *in, PyObject *o);
int gw_send_wrapper(gw_interp *in, gw_req *req, PyObject *wrapper);
PyObject *gw_module_init(gw_interp *in);

extern int gw_multithread, gw_multiprocess, gw_run_once;
extern pid_t gw_pid;

#endif
