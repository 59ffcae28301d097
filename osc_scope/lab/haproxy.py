"""One HAProxy per cloud, run master-worker on releases of its rendered config.

``<dir>/releases/<digest>/`` holds one rendered config (``haproxy.cfg`` with ``default-path
config``, so its Lua and maps are found beside it) and ``<dir>/current`` links to the live
one, as the playbook does on real clouds. HAProxy runs as ``haproxy -W -db -f
<dir>/current/haproxy.cfg``: the master holds the listening sockets and, on SIGUSR2,
re-reads the config ``current`` points to and starts a new worker, which takes over the
listeners while the old worker finishes the requests it has (soft stop). So a changed
routing table reaches a running router without a restart, and without dropping the
requests in flight. A release is checked with ``haproxy -c`` before ``current`` moves to
it: a refused one leaves the running HAProxy, and ``current``, as they were.
"""

import os
import shutil
import signal
import tempfile
import time

from osc_scope.lab import common, processes
from osc_scope.routing import render as renderer

__all__ = ["binary", "stage", "serve"]


def binary():
    """HAProxy as found on PATH (as ``render.check`` finds it), None when not installed."""
    return shutil.which("haproxy")


def _argv(directory):
    return [binary(), "-W", "-db", "-f", os.path.join(directory, "current", "haproxy.cfg")]


def stage(directory, write):
    """Call ``write(path)`` to fill a new directory, and keep it as the release named by
    its digest (the same content gives the same release); return the release's path."""
    os.makedirs(os.path.join(directory, "releases"), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=directory)
    try:
        write(staging)
        os.chmod(staging, 0o755)
        release = os.path.join(directory, "releases", common.config_digest(staging)[:16])
        if os.path.isdir(release):
            shutil.rmtree(staging)
        else:
            os.rename(staging, release)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return release


def serve(procs, name, directory, release, listeners, timeout=15):
    """Make HAProxy ``name`` serve ``release``: start it, or reload it when it runs another
    release; wait until it listens on every ``(address, port)`` of ``listeners``.

    Returns "running" (nothing changed), "reloaded", "started" or "restarted" (an HAProxy
    that did not run master-worker on ``current``, e.g. one an older lab started).
    """
    digest = os.path.basename(release)
    argv = _argv(directory)
    running = procs.argv(name)
    master_worker = running is not None and running[1:] == argv[1:]
    if master_worker and procs.runs_with(name, digest):
        return "running"
    renderer.check(os.path.join(release, "haproxy.cfg"))
    _make_current(directory, release)
    if master_worker:
        _reload(procs, name, timeout)
        state = "reloaded"
    else:
        state = "restarted" if procs.stop(name) else "started"
        procs.start(name, argv, cwd=directory)
    procs.record(name, digest)
    for address, port in listeners:
        processes.wait_for_port(
            address, port, timeout, alive=lambda: not procs.exited(name), what=name
        )
    _prune(directory, release)
    return state


def _make_current(directory, release):
    """Point ``current`` at ``release`` in one step (rename over the old link)."""
    link = os.path.join(directory, "current")
    new = link + ".new"
    if os.path.lexists(new):
        os.unlink(new)
    os.symlink(os.path.relpath(release, directory), new)
    os.replace(new, link)


def _reload(procs, name, timeout):
    """SIGUSR2 to the master; done when it has forked the worker of the new config."""
    master = procs.pid(name)
    before = processes.children(master)
    os.kill(master, signal.SIGUSR2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes.children(master) - before:
            return
        if not procs.alive(name):
            raise processes.LabProcessError(f"{name}: exited while reloading")
        time.sleep(0.05)
    raise processes.LabProcessError(f"{name}: no new worker {timeout} s after SIGUSR2")


def _prune(directory, release):
    """Drop the other releases: workers read their config once, at start."""
    releases = os.path.join(directory, "releases")
    for entry in os.listdir(releases):
        path = os.path.join(releases, entry)
        if path != release:
            shutil.rmtree(path, ignore_errors=True)
