//go:build cgo && !nopython

/*
 * The Python objects of a WSGI request, with mod_wsgi 4.9's behaviour
 * and exception messages: mod_wsgi.Input (wsgi.input), the log buffer
 * under wsgi.errors and sys.stdout/sys.stderr, the adapter whose bound
 * methods are start_response and write, and mod_wsgi.FileWrapper.
 *
 * Every type is a heap type created per interpreter, so no object is
 * shared between interpreters.
 */
#include "shim.h"

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- */
/* Byte buffers.                                                     */

void gw_buf_reset(gw_buf *b) { b->len = 0; }

int gw_buf_append(gw_buf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 0;
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 1;
}

void gw_buf_free(gw_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---------------------------------------------------------------- */
/* The log buffer: mod_wsgi's Log object. Whole lines become records. */

typedef struct {
    PyObject_HEAD
    gw_req *req;
    int level;
    const char *name;
    int proxy;          /* sys.stdout/sys.stderr: follow the thread's request */
    gw_buf pending;     /* an incomplete line */
    int expired;
} LogObject;

static void log_emit(LogObject *self, const char *s, size_t n)
{
    gw_log(self->req, self->level, s, n);
}

/* log_queue splits text into lines: each complete line is a record, an
 * incomplete one waits in pending. The records are collected first and
 * emitted after the object is updated, because emitting releases the GIL
 * and another thread may write to the same object meanwhile. */
static void log_queue(LogObject *self, const char *p, size_t len)
{
    const char *e = p + len;
    gw_buf out = {NULL, 0, 0};
    for (;;) {
        const char *q = memchr(p, '\n', e - p);
        if (!q)
            break;
        uint32_t n = (uint32_t)(self->pending.len + (q - p));
        gw_buf_append(&out, (const char *)&n, 4);
        gw_buf_append(&out, self->pending.p, self->pending.len);
        gw_buf_append(&out, p, q - p);
        gw_buf_reset(&self->pending);
        p = q + 1;
    }
    if (p != e)
        gw_buf_append(&self->pending, p, e - p);
    for (size_t off = 0; off < out.len;) {
        uint32_t n;
        memcpy(&n, out.p + off, 4);
        log_emit(self, out.p + off + 4, n);
        off += 4 + n;
    }
    gw_buf_free(&out);
}

/* log_target is the buffer a call goes to: a proxy (sys.stdout) writes
 * to the wsgi.errors buffer of the request running on this thread. */
static LogObject *log_target(LogObject *self)
{
    if (self->proxy && gw_current_log)
        return (LogObject *)gw_current_log;
    return self;
}

static PyObject *log_flush_impl(LogObject *self)
{
    if (self->expired) {
        PyErr_SetString(PyExc_RuntimeError, "log object has expired");
        return NULL;
    }
    if (self->pending.len) {
        gw_buf line = self->pending;
        self->pending.p = NULL;
        self->pending.len = self->pending.cap = 0;
        log_emit(self, line.p, line.len);
        gw_buf_free(&line);
    }
    Py_RETURN_NONE;
}

static PyObject *Log_flush(PyObject *o, PyObject *unused)
{
    return log_flush_impl(log_target((LogObject *)o));
}

static PyObject *Log_close(PyObject *o, PyObject *unused)
{
    LogObject *self = log_target((LogObject *)o);
    if (!self->expired) {
        PyObject *r = log_flush_impl(self);
        Py_XDECREF(r);
    }
    self->req = NULL;
    self->expired = 1;
    Py_RETURN_NONE;
}

static PyObject *Log_write(PyObject *o, PyObject *args)
{
    LogObject *self = log_target((LogObject *)o);
    const char *msg;
    Py_ssize_t len;
    if (self->expired) {
        PyErr_SetString(PyExc_RuntimeError, "log object has expired");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "s#:write", &msg, &len))
        return NULL;
    log_queue(self, msg, (size_t)len);
    return PyLong_FromSsize_t(len);
}

static PyObject *Log_writelines(PyObject *o, PyObject *args)
{
    PyObject *seq, *it, *item;
    if (!PyArg_ParseTuple(args, "O:writelines", &seq))
        return NULL;
    it = PyObject_GetIter(seq);
    if (!it) {
        PyErr_SetString(PyExc_TypeError, "argument must be sequence of strings");
        return NULL;
    }
    while ((item = PyIter_Next(it))) {
        PyObject *a = PyTuple_Pack(1, item);
        PyObject *r = a ? Log_write(o, a) : NULL;
        Py_XDECREF(a);
        Py_DECREF(item);
        if (!r) {
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "argument must be sequence of strings");
            return NULL;
        }
        Py_DECREF(r);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *Log_false(PyObject *o, PyObject *unused) { Py_RETURN_FALSE; }
static PyObject *Log_true(PyObject *o, PyObject *unused) { Py_RETURN_TRUE; }

static PyObject *Log_fileno(PyObject *o, PyObject *unused)
{
    PyErr_SetString(PyExc_OSError, "Apache/mod_wsgi log object is not "
                    "associated with a file descriptor.");
    return NULL;
}

static PyObject *Log_get_name(PyObject *o, void *c)
{
    return PyUnicode_FromString(((LogObject *)o)->name);
}
static PyObject *Log_get_closed(PyObject *o, void *c) { Py_RETURN_FALSE; }
static PyObject *Log_get_encoding(PyObject *o, void *c) { return PyUnicode_FromString("utf-8"); }
static PyObject *Log_get_errors(PyObject *o, void *c) { return PyUnicode_FromString("replace"); }

static void Log_dealloc(PyObject *o)
{
    LogObject *self = (LogObject *)o;
    PyTypeObject *tp = Py_TYPE(o);
    if (self->pending.len && !self->expired)
        log_emit(self, self->pending.p, self->pending.len);
    gw_buf_free(&self->pending);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyMethodDef Log_methods[] = {
    {"flush", Log_flush, METH_NOARGS, NULL},
    {"close", Log_close, METH_NOARGS, NULL},
    {"isatty", Log_false, METH_NOARGS, NULL},
    {"write", Log_write, METH_VARARGS, NULL},
    {"writelines", Log_writelines, METH_VARARGS, NULL},
    {"readable", Log_false, METH_NOARGS, NULL},
    {"seekable", Log_false, METH_NOARGS, NULL},
    {"writable", Log_true, METH_NOARGS, NULL},
    {"fileno", Log_fileno, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Log_getset[] = {
    {"name", Log_get_name, NULL, NULL, NULL},
    {"closed", Log_get_closed, NULL, NULL, NULL},
    {"encoding", Log_get_encoding, NULL, NULL, NULL},
    {"errors", Log_get_errors, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Log_slots[] = {
    {Py_tp_dealloc, Log_dealloc},
    {Py_tp_methods, Log_methods},
    {Py_tp_getset, Log_getset},
    {0, NULL}
};

static PyType_Spec Log_spec = {
    "mod_wsgi.Log", sizeof(LogObject), 0, Py_TPFLAGS_DEFAULT, Log_slots
};

PyObject *gw_logbuf_new(gw_interp *in, gw_req *req, int level, const char *name, int proxy)
{
    LogObject *self = PyObject_New(LogObject, (PyTypeObject *)in->log_type);
    if (!self)
        return NULL;
    self->req = req;
    self->level = level;
    self->name = name ? name : "<log>";
    self->proxy = proxy;
    self->pending.p = NULL;
    self->pending.len = self->pending.cap = 0;
    self->expired = 0;
    return (PyObject *)self;
}

/* gw_log_wrapper wraps a log buffer as mod_wsgi does: a line-buffered,
 * write-through io.TextIOWrapper, utf-8 with errors=replace. */
PyObject *gw_log_wrapper(gw_interp *in, PyObject *buffer)
{
    PyObject *args = PyTuple_Pack(6, buffer, in->str_utf8, in->str_replace,
                                  Py_None, Py_True, Py_True);
    if (!args)
        return NULL;
    PyObject *w = PyObject_Call(in->text_io_wrapper, args, NULL);
    Py_DECREF(args);
    return w;
}

void gw_logbuf_finish(PyObject *buf)
{
    LogObject *self = (LogObject *)buf;
    self->req = NULL;
}

/* gw_logbuf_rearm points a cached buffer at the next request. */
void gw_logbuf_rearm(PyObject *buf, gw_req *req)
{
    LogObject *self = (LogObject *)buf;
    self->req = req;
    self->expired = 0;
}

/* gw_logbuf_expired reports whether the buffer was closed. */
int gw_logbuf_expired(PyObject *buf)
{
    return ((LogObject *)buf)->expired;
}

/* gw_logbuf_flush writes out an incomplete line at the end of a request. */
void gw_logbuf_flush(PyObject *buf)
{
    LogObject *self = (LogObject *)buf;
    if (self->expired || !self->pending.len)
        return;
    PyObject *r = log_flush_impl(self);
    Py_XDECREF(r);
}

/* ---------------------------------------------------------------- */
/* mod_wsgi.Input: wsgi.input.                                       */

typedef struct {
    PyObject_HEAD
    gw_req *req;
    gw_buf carry;       /* read ahead by readline, not yet returned */
    size_t carry_off;
    int error;
    int eof;
} InputObject;

static const char input_expired[] = "request object has expired";

/* input_pull reads up to n bytes of the body into dst, from what Go read
 * ahead, then from Go. 0 is the end of the body; -1 an error (set). */
static Py_ssize_t input_pull(InputObject *self, char *dst, size_t n)
{
    gw_req *req = self->req;
    if (self->eof || n == 0)
        return 0;
    if (req->pre_off < req->pre_len) {
        size_t k = req->pre_len - req->pre_off;
        if (k > n)
            k = n;
        memcpy(dst, req->pre + req->pre_off, k);
        req->pre_off += k;
        return (Py_ssize_t)k;
    }
    if (req->pre_complete || req->input_eof) {
        self->eof = 1;
        return 0;
    }
    long long got;
    req->inflight++;
    Py_BEGIN_ALLOW_THREADS
    got = gwgo_read(req->handle, dst, (long long)n);
    Py_END_ALLOW_THREADS
    req->inflight--;
    if (got < 0) {
        self->error = 1;
        PyErr_Format(PyExc_OSError, "Apache/mod_wsgi request data read error: %s.",
                     req->errmsg[0] ? req->errmsg : "Connection was terminated");
        return -1;
    }
    if (got == 0) {
        self->eof = 1;
        req->input_eof = 1;
    }
    return (Py_ssize_t)got;
}

static int input_check(InputObject *self)
{
    if (!self->req) {
        PyErr_SetString(PyExc_RuntimeError, input_expired);
        return 0;
    }
    if (self->error) {
        PyErr_SetString(PyExc_OSError, "Apache/mod_wsgi request data read "
                        "error: Input is already in error state.");
        return 0;
    }
    return 1;
}

/* input_size parses an optional size argument: None or missing is -1. */
static int input_size(PyObject *args, const char *fmt, long long *size)
{
    PyObject *o = Py_None;
    *size = -1;
    if (!PyArg_ParseTuple(args, fmt, &o))
        return 0;
    if (o == Py_None)
        return 1;
    *size = PyLong_AsLongLong(o);
    if (*size == -1 && PyErr_Occurred())
        return 0;
    return 1;
}

/* input_take moves up to n carried bytes into dst. */
static size_t input_take(InputObject *self, char *dst, size_t n)
{
    size_t k = self->carry.len - self->carry_off;
    if (k > n)
        k = n;
    memcpy(dst, self->carry.p + self->carry_off, k);
    self->carry_off += k;
    if (self->carry_off == self->carry.len) {
        gw_buf_reset(&self->carry);
        self->carry_off = 0;
    }
    return k;
}

static PyObject *Input_read(PyObject *o, PyObject *args)
{
    InputObject *self = (InputObject *)o;
    long long size;
    if (!input_check(self) || !input_size(args, "|O:read", &size))
        return NULL;
    if (size == 0)
        return PyBytes_FromStringAndSize(NULL, 0);

    /* Grow the result as data arrives, so a large size on a short body
     * does not allocate the whole size up front. */
    size_t cap = 65536, len = 0;
    if (size > 0 && (unsigned long long)size < cap)
        cap = (size_t)size;
    PyObject *res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
    if (!res)
        return NULL;
    for (;;) {
        if (size > 0 && len == (size_t)size)
            break;
        if (len == cap) {
            size_t ncap = cap * 2;
            if (size > 0 && ncap > (size_t)size)
                ncap = (size_t)size;
            if (_PyBytes_Resize(&res, (Py_ssize_t)ncap) < 0)
                return NULL;
            cap = ncap;
        }
        char *dst = PyBytes_AS_STRING(res) + len;
        size_t want = cap - len;
        Py_ssize_t got;
        if (self->carry.len > self->carry_off)
            got = (Py_ssize_t)input_take(self, dst, want);
        else
            got = input_pull(self, dst, want);
        if (got < 0) {
            Py_DECREF(res);
            return NULL;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len != cap && _PyBytes_Resize(&res, (Py_ssize_t)len) < 0)
        return NULL;
    return res;
}

/* input_line returns the next line (up to limit bytes when limit >= 0). */
static PyObject *input_line(InputObject *self, long long limit)
{
    for (;;) {
        size_t avail = self->carry.len - self->carry_off;
        const char *start = self->carry.p + self->carry_off;
        size_t scan = avail;
        if (limit >= 0 && (unsigned long long)limit < scan)
            scan = (size_t)limit;
        const char *nl = avail ? memchr(start, '\n', scan) : NULL;
        if (nl || (limit >= 0 && avail >= (unsigned long long)limit) || self->eof) {
            size_t n = nl ? (size_t)(nl - start) + 1 : scan;
            PyObject *res = PyBytes_FromStringAndSize(start, (Py_ssize_t)n);
            if (!res)
                return NULL;
            self->carry_off += n;
            if (self->carry_off == self->carry.len) {
                gw_buf_reset(&self->carry);
                self->carry_off = 0;
            }
            return res;
        }
        /* Compact, then read another block after what is carried. */
        if (self->carry_off) {
            memmove(self->carry.p, start, avail);
            self->carry.len = avail;
            self->carry_off = 0;
        }
        char block[8192];
        Py_ssize_t got = input_pull(self, block, sizeof block);
        if (got < 0)
            return NULL;
        if (got > 0 && !gw_buf_append(&self->carry, block, (size_t)got))
            return PyErr_NoMemory();
    }
}

static PyObject *Input_readline(PyObject *o, PyObject *args)
{
    InputObject *self = (InputObject *)o;
    long long size;
    if (!input_check(self) || !input_size(args, "|O:readline", &size))
        return NULL;
    if (size == 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    return input_line(self, size);
}

static PyObject *Input_readlines(PyObject *o, PyObject *args)
{
    InputObject *self = (InputObject *)o;
    long long hint;
    if (!input_check(self) || !input_size(args, "|O:readlines", &hint))
        return NULL;
    PyObject *list = PyList_New(0);
    if (!list)
        return NULL;
    long long total = 0;
    for (;;) {
        PyObject *line = input_line(self, -1);
        if (!line) {
            Py_DECREF(list);
            return NULL;
        }
        Py_ssize_t n = PyBytes_GET_SIZE(line);
        if (n == 0) {
            Py_DECREF(line);
            break;
        }
        int rc = PyList_Append(list, line);
        Py_DECREF(line);
        if (rc < 0) {
            Py_DECREF(list);
            return NULL;
        }
        total += n;
        if (hint > 0 && total >= hint)
            break;
    }
    return list;
}

static PyObject *Input_close(PyObject *o, PyObject *unused)
{
    if (!((InputObject *)o)->req) {
        PyErr_SetString(PyExc_RuntimeError, input_expired);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *Input_iter(PyObject *o)
{
    if (!((InputObject *)o)->req) {
        PyErr_SetString(PyExc_RuntimeError, input_expired);
        return NULL;
    }
    Py_INCREF(o);
    return o;
}

static PyObject *Input_iternext(PyObject *o)
{
    InputObject *self = (InputObject *)o;
    if (!input_check(self))
        return NULL;
    PyObject *line = input_line(self, -1);
    if (!line)
        return NULL;
    if (PyBytes_GET_SIZE(line) == 0) {
        Py_DECREF(line);
        PyErr_SetNone(PyExc_StopIteration);
        return NULL;
    }
    return line;
}

static void Input_dealloc(PyObject *o)
{
    InputObject *self = (InputObject *)o;
    PyTypeObject *tp = Py_TYPE(o);
    gw_buf_free(&self->carry);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyMethodDef Input_methods[] = {
    {"close", Input_close, METH_NOARGS, NULL},
    {"read", Input_read, METH_VARARGS, NULL},
    {"readline", Input_readline, METH_VARARGS, NULL},
    {"readlines", Input_readlines, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Input_slots[] = {
    {Py_tp_dealloc, Input_dealloc},
    {Py_tp_methods, Input_methods},
    {Py_tp_iter, Input_iter},
    {Py_tp_iternext, Input_iternext},
    {0, NULL}
};

static PyType_Spec Input_spec = {
    "mod_wsgi.Input", sizeof(InputObject), 0, Py_TPFLAGS_DEFAULT, Input_slots
};

PyObject *gw_input_new(gw_interp *in, gw_req *req)
{
    InputObject *self = PyObject_New(InputObject, (PyTypeObject *)in->input_type);
    if (!self)
        return NULL;
    self->req = req;
    self->carry.p = NULL;
    self->carry.len = self->carry.cap = 0;
    self->carry_off = 0;
    self->error = 0;
    self->eof = 0;
    return (PyObject *)self;
}

void gw_input_finish(PyObject *input)
{
    ((InputObject *)input)->req = NULL;
}

/* ---------------------------------------------------------------- */
/* Status line and header conversion (wsgi_convert.c/wsgi_validate.c). */

/* latin1 converts a str to its latin-1 bytes with mod_wsgi's errors. */
static PyObject *latin1(PyObject *value)
{
    if (!PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "expected unicode object, value "
                     "of type %.200s found", Py_TYPE(value)->tp_name);
        return NULL;
    }
    PyObject *b = PyUnicode_AsLatin1String(value);
    if (!b) {
        PyErr_SetString(PyExc_ValueError, "unicode object contains non latin-1 characters");
        return NULL;
    }
    return b;
}

/* c_string is the prefix of a bytes value up to its first NUL, as
 * mod_wsgi and Apache see it. */
static size_t c_string(PyObject *b)
{
    const char *s = PyBytes_AS_STRING(b);
    return strnlen(s, (size_t)PyBytes_GET_SIZE(b));
}

static int valid_status(PyObject *b)
{
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(b);
    if (!isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[2]) || isdigit(s[3])) {
        PyErr_SetString(PyExc_ValueError, "status code is not a 3 digit integer");
        return 0;
    }
    s += 3;
    if (*s != ' ') {
        PyErr_SetString(PyExc_ValueError, "no space following status code");
        return 0;
    }
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            PyErr_SetString(PyExc_ValueError, "control character present in reason phrase");
            return 0;
        }
    }
    return 1;
}

static int valid_name(PyObject *b)
{
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(b);
    if (!*s) {
        PyErr_SetString(PyExc_ValueError, "header name is empty");
        return 0;
    }
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7f) {
            PyErr_SetString(PyExc_ValueError, "control character present in header name");
            return 0;
        }
        if (*s == ' ') {
            PyErr_SetString(PyExc_ValueError, "space character present in header name");
            return 0;
        }
    }
    return 1;
}

static int valid_value(PyObject *b)
{
    const char *s = PyBytes_AS_STRING(b);
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            PyErr_SetString(PyExc_ValueError, "carriage return/line feed "
                            "character present in header value");
            return 0;
        }
    }
    return 1;
}

static int put_field(gw_buf *b, PyObject *bytes)
{
    uint32_t n = (uint32_t)c_string(bytes);
    return gw_buf_append(b, (const char *)&n, 4) &&
           gw_buf_append(b, PyBytes_AS_STRING(bytes), n);
}

/* convert_headers validates the headers and encodes them into out. */
static int convert_headers(PyObject *headers, gw_buf *out, int *count)
{
    Py_ssize_t n = PyList_GET_SIZE(headers);
    gw_buf_reset(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *h = PyList_GET_ITEM(headers, i);
        if (!PyTuple_Check(h)) {
            PyErr_Format(PyExc_TypeError, "list of tuple values expected for headers, "
                         "value of type %.200s found", Py_TYPE(h)->tp_name);
            return 0;
        }
        if (PyTuple_GET_SIZE(h) != 2) {
            PyErr_Format(PyExc_ValueError, "tuple of length 2 expected for header, "
                         "length is %d", (int)PyTuple_GET_SIZE(h));
            return 0;
        }
        PyObject *name = latin1(PyTuple_GET_ITEM(h, 0));
        if (!name)
            return 0;
        if (!valid_name(name)) {
            Py_DECREF(name);
            return 0;
        }
        PyObject *value = latin1(PyTuple_GET_ITEM(h, 1));
        if (!value) {
            Py_DECREF(name);
            return 0;
        }
        int ok = valid_value(value) && put_field(out, name) && put_field(out, value);
        Py_DECREF(name);
        Py_DECREF(value);
        if (!ok) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            return 0;
        }
    }
    *count = (int)n;
    return 1;
}

/* ---------------------------------------------------------------- */
/* Output: Adapter_output's rules.                                    */

/* prepare_headers applies the Content-Length the application gave. */
int gw_prepare_headers(gw_req *req)
{
    const char *p = req->headers.p, *e = p + req->headers.len;
    while (p < e) {
        uint32_t nl, vl;
        memcpy(&nl, p, 4);
        const char *name = p + 4;
        memcpy(&vl, name + nl, 4);
        const char *value = name + nl + 4;
        p = value + vl;
        if (nl == 14 && !strncasecmp(name, "Content-Length", 14)) {
            char buf[32];
            char *end;
            /* strtol's rules, as mod_wsgi reads it: an empty value is 0. */
            if (vl >= sizeof buf)
                goto bad;
            memcpy(buf, value, vl);
            buf[vl] = 0;
            errno = 0;
            long long cl = strtoll(buf, &end, 10);
            if (errno || *end || cl < 0)
                goto bad;
            req->content_length = cl;
            req->flags |= GW_CL_SET;
        }
    }
    return 1;
bad:
    PyErr_SetString(PyExc_ValueError, "invalid content length");
    return 0;
}

/* gw_commit sends the status and headers: the first body bytes, or the
 * end of an empty body, are on their way. */
int gw_commit(gw_req *req)
{
    if (!gw_prepare_headers(req))
        return 0;
    int rc;
    req->inflight++;
    Py_BEGIN_ALLOW_THREADS
    rc = gwgo_start(req->handle);
    Py_END_ALLOW_THREADS
    req->inflight--;
    req->flags |= GW_SENT;
    if (rc < 0)
        req->flags |= GW_ABORTED;
    return 1;
}

/*
 * gw_output is Adapter_output: commit the headers if they are pending,
 * then send data (flushed), never more than the Content-Length given.
 * It returns 0 with an exception set on an error, and 0 without one when
 * the client went away (raise_on_abort turns that into OSError).
 */
int gw_output(gw_req *req, const char *data, Py_ssize_t len, int raise_on_abort)
{
    if (!(req->flags & GW_STARTED)) {
        PyErr_SetString(PyExc_RuntimeError, "response has not been started");
        return 0;
    }
    if (!(req->flags & GW_SENT)) {
        if (len == 0) {
            /* Adapter_output with no data hands the headers over and
               sends nothing: a failure after it still gets Apache's
               page, and an empty body its Content-Length: 0. */
            if (!gw_prepare_headers(req))
                return 0;
            req->flags |= GW_HEADERS;
            return 1;
        }
        if (!gw_commit(req))
            return 0;
    }
    long long n = len;
    if (n && (req->flags & GW_CL_SET)) {
        if (req->output_length >= req->content_length)
            n = 0;
        else if (req->output_length + n > req->content_length)
            n = req->content_length - req->output_length;
    }
    req->output_length += len;
    if (n && !(req->flags & GW_ABORTED)) {
        int rc;
        req->inflight++;
        Py_BEGIN_ALLOW_THREADS
        rc = gwgo_write(req->handle, (char *)data, n);
        Py_END_ALLOW_THREADS
        req->inflight--;
        if (rc < 0)
            req->flags |= GW_ABORTED;
    }
    if (req->flags & GW_ABORTED) {
        if (raise_on_abort)
            PyErr_SetString(PyExc_OSError, "Apache/mod_wsgi client connection closed.");
        else
            gw_logf(req, GW_LOG_DEBUG, "mod_wsgi (pid=%d): Client closed connection.", (int)gw_pid);
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- */
/* The adapter: start_response and write.                            */

typedef struct {
    PyObject_HEAD
    gw_req *req;
    PyObject *write;    /* the bound write method start_response returns */
} AdapterObject;

static PyObject *Adapter_start_response(PyObject *o, PyObject *args)
{
    AdapterObject *self = (AdapterObject *)o;
    gw_req *req = self->req;
    PyObject *status, *headers, *exc_info = Py_None;
    if (!req) {
        PyErr_SetString(PyExc_RuntimeError, input_expired);
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!|O:start_response", &status, &PyList_Type,
                          &headers, &exc_info))
        return NULL;
    if (exc_info != Py_None && !PyTuple_Check(exc_info)) {
        PyErr_SetString(PyExc_RuntimeError, "exception info must be a tuple");
        return NULL;
    }
    if (exc_info != Py_None) {
        if (req->flags & (GW_SENT | GW_HEADERS)) {
            PyObject *type, *value, *tb;
            if (!PyArg_ParseTuple(exc_info, "OOO", &type, &value, &tb))
                return NULL;
            if (!PyExceptionClass_Check(type)) {
                /* (None, None, None), sys.exc_info() outside an except
                   block: restored, it would be an exception that is not
                   one, and corrupt the interpreter. */
                PyErr_SetString(PyExc_RuntimeError, "headers have already been sent");
                return NULL;
            }
            Py_INCREF(type);
            Py_INCREF(value);
            Py_INCREF(tb);
            PyErr_Restore(type, value, tb);
            return NULL;
        }
    } else if (req->flags & (GW_SENT | GW_HEADERS)) {
        PyErr_SetString(PyExc_RuntimeError, "headers have already been sent");
        return NULL;
    }
    PyObject *sb = latin1(status);
    if (!sb)
        return NULL;
    if (!valid_status(sb)) {
        Py_DECREF(sb);
        return NULL;
    }
    gw_buf hdrs = {NULL, 0, 0};
    int count = 0;
    if (!convert_headers(headers, &hdrs, &count)) {
        Py_DECREF(sb);
        gw_buf_free(&hdrs);
        return NULL;
    }
    gw_buf_reset(&req->status_line);
    int ok = gw_buf_append(&req->status_line, PyBytes_AS_STRING(sb), c_string(sb));
    req->status = (int)strtol(PyBytes_AS_STRING(sb), NULL, 10);
    Py_DECREF(sb);
    gw_buf_free(&req->headers);
    req->headers = hdrs;
    req->nheaders = count;
    if (!ok)
        return PyErr_NoMemory();
    req->flags &= ~GW_CL_SET;
    req->content_length = 0;
    req->flags |= GW_STARTED;
    Py_INCREF(self->write);
    return self->write;
}

static PyObject *Adapter_write(PyObject *o, PyObject *args)
{
    AdapterObject *self = (AdapterObject *)o;
    PyObject *item;
    if (!self->req) {
        PyErr_SetString(PyExc_RuntimeError, input_expired);
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O:write", &item))
        return NULL;
    if (!PyBytes_Check(item)) {
        PyErr_Format(PyExc_TypeError, "byte string value expected, value of "
                     "type %.200s found", Py_TYPE(item)->tp_name);
        return NULL;
    }
    Py_INCREF(item);
    int ok = gw_output(self->req, PyBytes_AS_STRING(item), PyBytes_GET_SIZE(item), 1);
    Py_DECREF(item);
    if (!ok)
        return NULL;
    Py_RETURN_NONE;
}

static int Adapter_traverse(PyObject *o, visitproc visit, void *arg)
{
    Py_VISIT(((AdapterObject *)o)->write);
    Py_VISIT(Py_TYPE(o));
    return 0;
}

static int Adapter_clear(PyObject *o)
{
    Py_CLEAR(((AdapterObject *)o)->write);
    return 0;
}

static void Adapter_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    Adapter_clear(o);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyMethodDef Adapter_methods[] = {
    {"start_response", Adapter_start_response, METH_VARARGS, NULL},
    {"write", Adapter_write, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot Adapter_slots[] = {
    {Py_tp_dealloc, Adapter_dealloc},
    {Py_tp_traverse, Adapter_traverse},
    {Py_tp_clear, Adapter_clear},
    {Py_tp_methods, Adapter_methods},
    {0, NULL}
};

static PyType_Spec Adapter_spec = {
    "mod_wsgi.Adapter", sizeof(AdapterObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Adapter_slots
};

/* gw_adapter_new returns the adapter and, in *start, the start_response
 * callable the application receives. */
PyObject *gw_adapter_new(gw_interp *in, gw_req *req, PyObject **start)
{
    AdapterObject *self = PyObject_GC_New(AdapterObject, (PyTypeObject *)in->adapter_type);
    if (!self)
        return NULL;
    self->req = req;
    self->write = NULL;
    PyObject_GC_Track(self);
    self->write = PyCFunction_NewEx(&Adapter_methods[1], (PyObject *)self, NULL);
    *start = PyCFunction_NewEx(&Adapter_methods[0], (PyObject *)self, NULL);
    if (!self->write || !*start) {
        Py_XDECREF(*start);
        *start = NULL;
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

void gw_adapter_finish(PyObject *adapter)
{
    AdapterObject *self = (AdapterObject *)adapter;
    self->req = NULL;
    Py_CLEAR(self->write);
}

/* ---------------------------------------------------------------- */
/* mod_wsgi.FileWrapper: wsgi.file_wrapper.                           */

typedef struct {
    PyObject_HEAD
    PyObject *filelike;
    long blksize;
} WrapperObject;

static PyObject *Wrapper_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    WrapperObject *self = (WrapperObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    Py_INCREF(Py_None);
    self->filelike = Py_None;
    return (PyObject *)self;
}

static int Wrapper_init(PyObject *o, PyObject *args, PyObject *kw)
{
    WrapperObject *self = (WrapperObject *)o;
    static char *kwlist[] = {"filelike", "blksize", NULL};
    PyObject *filelike;
    long blksize = 8192;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|l:FileWrapper", kwlist, &filelike, &blksize))
        return -1;
    Py_INCREF(filelike);
    Py_XSETREF(self->filelike, filelike);
    self->blksize = blksize;
    return 0;
}

static PyObject *Wrapper_iter(PyObject *o)
{
    Py_INCREF(o);
    return o;
}

static PyObject *Wrapper_iternext(PyObject *o)
{
    PyObject *filelike = PyObject_GetAttrString(o, "filelike");
    if (!filelike) {
        PyErr_SetString(PyExc_KeyError, "file wrapper no filelike attribute");
        return NULL;
    }
    PyObject *read = PyObject_GetAttrString(filelike, "read");
    Py_DECREF(filelike);
    if (!read) {
        PyErr_SetString(PyExc_KeyError, "file like object has no read() method");
        return NULL;
    }
    PyObject *blksize = PyObject_GetAttrString(o, "blksize");
    if (!blksize || !PyLong_Check(blksize)) {
        Py_XDECREF(blksize);
        Py_DECREF(read);
        PyErr_SetString(PyExc_KeyError, blksize ? "file wrapper blksize attribute not integer"
                                                : "file wrapper has no blksize attribute");
        return NULL;
    }
    PyObject *res = PyObject_CallOneArg(read, blksize);
    Py_DECREF(read);
    Py_DECREF(blksize);
    if (!res)
        return NULL;
    if (PyBytes_Check(res)) {
        if (PyBytes_GET_SIZE(res) == 0) {
            Py_DECREF(res);
            PyErr_SetNone(PyExc_StopIteration);
            return NULL;
        }
        return res;
    }
    Py_DECREF(res);
    PyErr_SetString(PyExc_TypeError, "file like object yielded non string type");
    return NULL;
}

static PyObject *Wrapper_close(PyObject *o, PyObject *unused)
{
    WrapperObject *self = (WrapperObject *)o;
    if (!self->filelike || self->filelike == Py_None)
        Py_RETURN_NONE;
    PyObject *close = PyObject_GetAttrString(self->filelike, "close");
    if (close) {
        PyObject *r = PyObject_CallNoArgs(close);
        if (!r)
            PyErr_Clear();
        Py_XDECREF(r);
        Py_DECREF(close);
    } else {
        PyErr_Clear();
    }
    Py_CLEAR(self->filelike);
    Py_RETURN_NONE;
}

static PyObject *Wrapper_get_filelike(PyObject *o, void *c)
{
    WrapperObject *self = (WrapperObject *)o;
    PyObject *f = self->filelike ? self->filelike : Py_None;
    Py_INCREF(f);
    return f;
}

static PyObject *Wrapper_get_blksize(PyObject *o, void *c)
{
    return PyLong_FromLong(((WrapperObject *)o)->blksize);
}

static int Wrapper_traverse(PyObject *o, visitproc visit, void *arg)
{
    Py_VISIT(((WrapperObject *)o)->filelike);
    Py_VISIT(Py_TYPE(o));
    return 0;
}

static int Wrapper_clear(PyObject *o)
{
    Py_CLEAR(((WrapperObject *)o)->filelike);
    return 0;
}

static void Wrapper_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    Wrapper_clear(o);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyMethodDef Wrapper_methods[] = {
    {"close", Wrapper_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef Wrapper_getset[] = {
    {"filelike", Wrapper_get_filelike, NULL, NULL, NULL},
    {"blksize", Wrapper_get_blksize, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Wrapper_slots[] = {
    {Py_tp_new, Wrapper_new},
    {Py_tp_init, Wrapper_init},
    {Py_tp_dealloc, Wrapper_dealloc},
    {Py_tp_traverse, Wrapper_traverse},
    {Py_tp_clear, Wrapper_clear},
    {Py_tp_iter, Wrapper_iter},
    {Py_tp_iternext, Wrapper_iternext},
    {Py_tp_methods, Wrapper_methods},
    {Py_tp_getset, Wrapper_getset},
    {0, NULL}
};

static PyType_Spec Wrapper_spec = {
    "mod_wsgi.FileWrapper", sizeof(WrapperObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, Wrapper_slots
};

int gw_is_wrapper(gw_interp *in, PyObject *o)
{
    return PyObject_TypeCheck(o, (PyTypeObject *)in->wrapper_type);
}

/*
 * gw_send_wrapper is Adapter_process_file_wrapper: when the wrapped file
 * is a regular file and nothing was written yet, Go sends the headers
 * (with a Content-Length when the application gave none) and the file
 * from its current position in one call, as mod_wsgi passes Apache the
 * file bucket with the end of the response. It returns 1 when the body was handled, 0 to
 * iterate the wrapper as any iterable; on errors an exception is set and
 * 1 is returned.
 */
int gw_send_wrapper(gw_interp *in, gw_req *req, PyObject *wrapper)
{
    if (req->output_length != 0)
        return 0;
    PyObject *filelike = PyObject_GetAttrString(wrapper, "filelike");
    if (!filelike) {
        PyErr_SetString(PyExc_KeyError, "file wrapper no filelike attribute");
        return 1;
    }
    int fd = PyObject_AsFileDescriptor(filelike);
    if (fd == -1) {
        PyErr_Clear();
        Py_DECREF(filelike);
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        Py_DECREF(filelike);
        return 0;
    }
    off_t fd_offset = lseek(fd, 0, SEEK_CUR);
    if (fd_offset < 0) {
        Py_DECREF(filelike);
        return 0;
    }
    PyObject *pos = PyObject_CallMethod(filelike, "tell", NULL);
    Py_DECREF(filelike);
    if (!pos || !PyLong_Check(pos)) {
        Py_XDECREF(pos);
        PyErr_Clear();
        return 0;
    }
    long long offset = PyLong_AsLongLong(pos);
    Py_DECREF(pos);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    if (req->flags & GW_SENT) {
        /* write() already sent the headers and some body: the wrapper
           is iterated as any other iterable. */
        return 0;
    }
    if (!(req->flags & GW_STARTED)) {
        PyErr_SetString(PyExc_RuntimeError, "response has not been started");
        return 1;
    }
    if (!gw_prepare_headers(req))
        return 1;
    long long length = (long long)st.st_size - offset;
    if (length < 0)
        length = 0;
    if (req->flags & GW_CL_SET) {
        req->output_length += length;
        length = req->content_length;
    } else {
        req->output_length += length;
        req->content_length = length;
        req->flags |= GW_CL_SET;
    }
    req->flags |= GW_FILE;
    int rc;
    req->inflight++;
    Py_BEGIN_ALLOW_THREADS
    rc = gwgo_sendfile(req->handle, fd, offset, length);
    lseek(fd, fd_offset, SEEK_SET);
    Py_END_ALLOW_THREADS
    req->inflight--;
    req->flags |= GW_SENT;
    if (rc < 0) {
        req->flags |= GW_ABORTED;
        PyErr_SetString(PyExc_OSError, "Apache/mod_wsgi client connection closed.");
    }
    return 1;
}

/* ---------------------------------------------------------------- */

/* ---------------------------------------------------------------- */
/* The value cache: environ values repeat from request to request
 * (SERVER_SOFTWARE, SCRIPT_FILENAME, the Host header...). Strings are
 * immutable, so each interpreter keeps the last str made for each of
 * VC_SIZE hash slots and hands it out again instead of decoding anew. */

#define VC_SIZE 1024
#define VC_MAXLEN 128

typedef struct {
    uint32_t hash;
    PyObject *str;
} vc_entry;

struct gw_vcache {
    vc_entry e[VC_SIZE];
};

/* vc_hash hashes a value eight bytes at a time (a multiply and a shift
 * per word): the byte-at-a-time FNV-1a it replaced took a quarter of a
 * hello-world call. Collisions only cost a miss; memcmp decides. */
static uint32_t vc_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    uint64_t w;
    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    /* The last 0-7 bytes, without a byte loop: two overlapping words,
     * or the first, middle and last bytes (n is mixed in above). */
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        w = ((uint64_t)a << 32) | b;
    } else if (n > 0) {
        w = ((uint64_t)(unsigned char)p[0] << 16) | ((uint64_t)(unsigned char)p[n >> 1] << 8) |
            (unsigned char)p[n - 1];
    } else {
        w = 0;
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

/* gw_latin1 returns the str of latin-1 bytes, from the cache when it can. */
PyObject *gw_latin1(gw_interp *in, const char *p, size_t n)
{
    if (!in || !in->values || n > VC_MAXLEN)
        return PyUnicode_DecodeLatin1(p, (Py_ssize_t)n, NULL);
    uint32_t h = vc_hash(p, n);
    vc_entry *e = &in->values->e[h & (VC_SIZE - 1)];
    PyObject *s = e->str;
    if (s && e->hash == h && PyUnicode_GET_LENGTH(s) == (Py_ssize_t)n &&
        PyUnicode_KIND(s) == PyUnicode_1BYTE_KIND &&
        memcmp(PyUnicode_1BYTE_DATA(s), p, n) == 0) {
        Py_INCREF(s);
        return s;
    }
    s = PyUnicode_DecodeLatin1(p, (Py_ssize_t)n, NULL);
    if (!s)
        return NULL;
    Py_INCREF(s);
    Py_XSETREF(e->str, s);
    e->hash = h;
    return s;
}

int gw_interp_types(gw_interp *in)
{
    in->input_type = PyType_FromSpec(&Input_spec);
    in->log_type = PyType_FromSpec(&Log_spec);
    in->adapter_type = PyType_FromSpec(&Adapter_spec);
    in->wrapper_type = PyType_FromSpec(&Wrapper_spec);
    if (!in->input_type || !in->log_type || !in->adapter_type || !in->wrapper_type)
        return 0;
    PyObject *io = PyImport_ImportModule("io");
    if (!io)
        return 0;
    in->text_io_wrapper = PyObject_GetAttrString(io, "TextIOWrapper");
    Py_DECREF(io);
    in->wsgi_version = Py_BuildValue("(ii)", 1, 0);
    in->apache_version = Py_BuildValue("(iii)", 2, 4, 55);
    in->modwsgi_version = Py_BuildValue("(iii)", 4, 9, 4);
    static const char *names[GW_NSTR] = {
        "wsgi.version", "wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once",
        "wsgi.errors", "wsgi.input", "wsgi.input_terminated", "wsgi.file_wrapper",
        "apache.version", "mod_wsgi.version", "mod_wsgi.total_requests", "mod_wsgi.thread_id",
        "mod_wsgi.thread_requests", "mod_wsgi.script_start", "close", "__mtime__",
        "reload_required",
    };
    for (int i = 0; i < GW_NSTR; i++) {
        in->str[i] = PyUnicode_InternFromString(names[i]);
        if (!in->str[i])
            return 0;
    }
    in->values = calloc(1, sizeof(struct gw_vcache));
    in->str_utf8 = PyUnicode_InternFromString("utf-8");
    in->str_replace = PyUnicode_InternFromString("replace");
    return in->text_io_wrapper && in->wsgi_version && in->apache_version &&
           in->modwsgi_version && in->str_utf8 && in->str_replace;
}

