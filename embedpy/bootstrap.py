# Run by gowsgid in every interpreter it creates, before any application
# code: the per-interpreter set-up mod_wsgi 4.9 does in newInterpreterObject.
# Globals: _settings (dict from the server), _application_group (str),
# _gowsgid (the helper module: log, log_object).

import os
import sys

_LOG_WARN, _LOG_INFO, _LOG_ERR = 4, 6, 3
_pid = os.getpid()


class _Restricted:
    """What sys.stdin/sys.stdout become under WSGIRestrictStdin/Stdout."""

    def __init__(self, name):
        object.__setattr__(self, '_name', name)

    def __getattr__(self, attr):
        raise OSError('%s access restricted by mod_wsgi' % self._name)


sys.argv = ['mod_wsgi']
sys.stderr = _gowsgid.log_object(_LOG_ERR, '<stderr>', True)
if _settings['restrict_stdout']:
    sys.stdout = _Restricted('sys.stdout')
else:
    sys.stdout = _gowsgid.log_object(_LOG_ERR, '<stdout>', True)
if _settings['restrict_stdin']:
    sys.stdin = _Restricted('sys.stdin')

if _settings['restrict_signal']:
    import signal

    def _make_intercept(original):
        def signal_intercept(signalnum, handler):
            if os.getpid() != _pid:
                return original(signalnum, handler)
            _gowsgid.log(_LOG_WARN, 'mod_wsgi (pid=%d): Callback registration for '
                         'signal %d ignored.' % (_pid, int(signalnum)))
            import traceback
            log = _gowsgid.log_object(_LOG_WARN, None, False)
            traceback.print_stack(None, None, log)
            log.flush()
            return handler
        return signal_intercept

    signal.signal = _make_intercept(signal.signal)

if _settings['python_eggs']:
    os.environ['PYTHON_EGG_CACHE'] = _settings['python_eggs']

if _settings['python_path']:
    import site
    _before = list(sys.path)
    for _entry in _settings['python_path'].split(':'):
        if not _entry:
            continue
        _gowsgid.log(_LOG_INFO, "mod_wsgi (pid=%d): Adding '%s' to path." % (_pid, _entry))
        try:
            site.addsitedir(_entry)
        except Exception:
            _gowsgid.log(_LOG_ERR, "mod_wsgi (pid=%d): Call to 'site.addsitedir()' failed "
                         "for '%s', stopping." % (_pid, _entry))
            break
    # addsitedir appends; mod_wsgi moves the new entries to the front.
    _added = [p for p in sys.path if p not in _before]
    sys.path[:] = _added + [p for p in sys.path if p not in _added]

if _settings['daemon_home']:
    # A daemon group's home= goes first, as for a script run from there.
    sys.path.insert(0, _settings['daemon_home'])

import mod_wsgi
import apache

mod_wsgi.process_group = _settings['process_group']
mod_wsgi.application_group = _application_group
mod_wsgi.maximum_processes = _settings['maximum_processes']
mod_wsgi.threads_per_process = _settings['threads_per_process']
apache.maximum_processes = _settings['maximum_processes']
apache.threads_per_process = _settings['threads_per_process']
apache.description = 'Apache/2.4.55'
apache.mpm_name = _settings['mpm_name']

# Import threading here so that its idea of the main thread is right.
import threading  # noqa: F401
