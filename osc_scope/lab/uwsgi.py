"""uWSGI ini files for the API services (Keystone, Glance, Placement, Nova API, Neutron).

Each API runs as one foreground uWSGI (the lab keeps its PID), mounted under the same path
as its catalog URL so HAProxy forwards paths unchanged. ``Connection: close`` because uWSGI's
``http-socket`` does not keep connections alive (clients would see resets); the chunked and
raw-body settings let Glance take streamed uploads.
"""

import os
import sys

__all__ = ["write_ini", "argv"]


def write_ini(path, *, address, port, mount, module, env, threads=4, uploads=False):
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
        lines += [f"mount = {mount}={module}", "manage-script-name = true"]
    else:
        lines.append(f"module = {module}")
    if uploads:
        lines += ["http-chunked-input = true", "http-auto-chunked = true", "http-raw-body = true"]
    lines += [f"env = {key}={value}" for key, value in env.items()]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


def argv(ini):
    return [os.path.join(os.path.dirname(sys.executable), "uwsgi"), "--ini", ini]
