//go:build cgo && !nopython

/*
 * The mod_wsgi and apache modules applications import. The bootstrap
 * fills in the attributes that come from the configuration
 * (process_group, application_group, maximum_processes, ...).
 */
#include "shim.h"

static struct PyModuleDef modwsgi_def = {
    PyModuleDef_HEAD_INIT, "mod_wsgi", NULL, -1, NULL, NULL, NULL, NULL, NULL
};

static struct PyModuleDef apache_def = {
    PyModuleDef_HEAD_INIT, "apache", NULL, -1, NULL, NULL, NULL, NULL, NULL
};

/* gw_module_init creates both modules in the current interpreter and
 * registers them in sys.modules; it returns mod_wsgi. */
PyObject *gw_module_init(gw_interp *in)
{
    PyObject *m = PyModule_Create(&modwsgi_def);
    if (!m)
        return NULL;
    if (PyModule_AddObjectRef(m, "version", in->modwsgi_version) < 0 ||
        PyModule_AddObjectRef(m, "FileWrapper", in->wrapper_type) < 0 ||
        PyModule_AddObjectRef(m, "Input", in->input_type) < 0 ||
        PyDict_SetItemString(in->modules, "mod_wsgi", m) < 0)
        goto fail;
    PyObject *a = PyModule_Create(&apache_def);
    if (!a)
        goto fail;
    int rc = PyModule_AddObjectRef(a, "version", in->apache_version);
    if (rc == 0)
        rc = PyDict_SetItemString(in->modules, "apache", a);
    Py_DECREF(a);
    if (rc < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
