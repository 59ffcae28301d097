"""``lab down`` and ``lab status``: stop the lab by PID, ask every cloud if it answers."""

import concurrent.futures
import os
import urllib.error
import urllib.request

from osc_scope.lab import layout, postgres, processes, routers, stack
from osc_scope.lab.errors import LabError

__all__ = ["cut", "down", "heal", "status"]


def _load(workdir):
    lab = layout.Lab.load(workdir)
    if lab is None:
        raise LabError(f"no lab in {os.path.abspath(workdir)}")
    return lab, processes.ProcessTable(lab.path("run"), lab.path("log"))


# The OpenStack services keep their state in PostgreSQL: the lab waits this long for one
# to stop on its own (nova-scheduler's graceful stop takes ~7 s), then kills it.
SERVICE_STOP_TIMEOUT = 2


def down(workdir, progress=print):
    """Stop every process of the lab: the routers first (no new requests), then the rest
    together (a lab keeps nothing worth a slow, ordered shutdown; PostgreSQL still gets its
    clean fast shutdown, RabbitMQ its own)."""
    lab, procs = _load(workdir)
    names = procs.names()
    first = [n for n in (routers.haproxy_name(c) for c in lab.clouds) if n in names]
    rest = [n for n in names if n not in first]
    services = {
        spec.name for cloud in lab.clouds for s in stack.SERVICES for spec in s.processes(cloud)
    }

    def stop(name):
        if name == "postgres":
            return postgres.Postgres(lab, procs).stop()
        if name in services:
            return procs.stop(name, timeout=SERVICE_STOP_TIMEOUT)
        return procs.stop(name)

    stopped = 0
    for group in (first, rest):
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(group) or 1) as pool:
            stopped += sum(pool.map(stop, group))
    lab.mesh.down()
    progress(f"stopped {stopped} processes of the lab in {lab.workdir}")
    return stopped


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def status(workdir, progress=print):
    """Print each cloud's services; True when every one answers through HAProxy."""
    lab, procs = _load(workdir)
    healthy = True
    for name in ("postgres", "rabbitmq"):
        alive = procs.alive(name)
        healthy &= alive
        progress(f"{name:24} {'running' if alive else 'STOPPED'}")
    for cloud in lab.clouds:
        for service_type in layout.SERVICES:
            code = _answers(cloud.url(service_type))
            ok = code is not None and code < 500
            healthy &= ok
            progress(
                f"{cloud.name:10} {service_type:13} {cloud.url(service_type):32} "
                f"{code if code else 'no answer'}"
            )
        daemons = [cloud.process_name(d.binary) for s in stack.SERVICES for d in s.daemons]
        daemons.append(routers.fanout_name(cloud))
        for name in daemons:  # the APIs answered above
            alive = procs.alive(name)
            healthy &= alive
            progress(f"{name:24} {'running' if alive else 'STOPPED'}")
    if lab.wan:
        for one, two, state in lab.mesh.links():
            healthy &= state != "missing"
            progress(f"WAN link {one} - {two}: {state}")
    return healthy


def cut(workdir, one, two, progress=print):
    """A partition between two clouds of a lab with a WAN (``lab up --wan``)."""
    lab, _ = _load(workdir)
    _wan(lab).cut(one, two)
    progress(f"WAN link {one} - {two}: cut (packets lost both ways; heal with: lab heal)")


def heal(workdir, one, two, progress=print):
    lab, _ = _load(workdir)
    _wan(lab).heal(one, two)
    progress(f"WAN link {one} - {two}: up")


def _wan(lab):
    if not lab.wan:
        raise LabError(f"the lab in {lab.workdir} has no WAN: start it with lab up --wan")
    return lab.mesh
