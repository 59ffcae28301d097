"""uWSGI ini files for the API services (Keystone, Glance, Placement, Nova API, Neutron).

Each API runs as one foreground uWSGI (the lab keeps its PID), mounted under the same path
as its catalog URL so HAProxy forwards paths unchanged. ``Connection: close`` because uWSGI's
``http-socket`` does not keep connections alive (clients would see resets); the chunked and
raw-body settings let Glance take streamed uploads.

uWSGI finds an application by looking its name up in the module's namespace, which skips
a module's ``__getattr__`` (``osc_scope.middleware.placement`` builds ``application`` on
first access). So each API is served from a one-line file next to its ini that imports the
application the normal Python way.
"""

import os
import sys

__all__ = ["write_ini", "argv"]


def write_ini(path, *, address, port, mount, application, env, threads=4, uploads=False):
    """Write the ini at ``path`` and its ``wsgi.py``; ``application``: ``module:name``."""
    module, name = application.split(":")
    entry = os.path.join(os.path.dirname(path), "wsgi.py")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(entry, "w") as stream:
        stream.write(f"from {module} import {name} as application  # noqa: F401\n")
    venv = os.path.dirname(os.path.dirname(sys.executable))
    lines = [
        "[uwsgi]",
        f"http-socket = {address}:{port}",
        f"home = {venv}",
        "master = true",
        "processes = 1",
        f"threads = {threads}",
        "enable-threads = true",
        "die-on-term = true",
        "need-app = true",
        "buffer-size = 65535",
        "add-header = Connection: close",
        "reload-mercy = 3",
        "worker-reload-mercy = 3",
        "disable-logging = true",  # request lines would only repeat what HAProxy logs
        "log-5xx = true",
        "log-4xx = true",
    ]
    if mount and mount != "/":
        lines += [f"mount = {mount}={entry}", "manage-script-name = true"]
    else:
        lines.append(f"wsgi-file = {entry}")
    if uploads:
        lines += ["http-chunked-input = true", "http-auto-chunked = true", "http-raw-body = true"]
    lines += [f"env = {key}={value}" for key, value in env.items()]
    with open(path, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


def argv(ini):
    return [os.path.join(os.path.dirname(sys.executable), "uwsgi"), "--ini", ini]
