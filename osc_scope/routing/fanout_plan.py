"""The fan-out service's part of one cloud's router: its backend, sockets and fanout.json.

A fan-out (``A&B``) leaves HAProxy for the backend ``osc-scope:fanout``, the cloud's fan-out
service (``osc-scope fanout serve``, ``osc_scope.fanout``). That service sends one
sub-request per branch back into the frontend the client used, through a second listener
of that frontend on a Unix socket: the same rules serve it (health, failover, TLS to the
other clouds, the loop guard), without TLS to itself and without a port to allocate.
Requests on those listeners get the header ``X-Scope-Cloud`` on their answer, naming the
cloud that served them. Everything here is written by ``osc-scope render`` from the same
plan as haproxy.cfg, so the two agree.
"""

import json
import os

from osc_scope.fanout import config as fanout_config
from osc_scope.routing.errors import RenderError
from osc_scope.scope import names

__all__ = [
    "FANOUT_BACKEND",
    "FANOUT_JSON",
    "FANOUT_METHODS",
    "INTERNAL_LISTENER",
    "SERVED_BY_HEADER",
    "FanOutPlan",
]

FANOUT_BACKEND = "osc-scope:fanout"
FANOUT_METHODS = ("GET", "HEAD")
FANOUT_JSON = "fanout.json"
INTERNAL_LISTENER = "osc-scope-internal"  # bind name of the frontends' Unix listeners
SERVED_BY_HEADER = names.SERVED_BY_HEADER
MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes with its final NUL


class FanOutPlan:
    """Where the fan-out service and the frontends' internal listeners live, for ``plan``.

    ``run_dir`` is an absolute directory on the cloud's host that both HAProxy and the
    fan-out service can reach (the lab: ``DIR/routing/<cloud>``; the playbook: a runtime
    directory). ``timeout`` is HAProxy's wait for a whole fan-out answer.
    """

    def __init__(self, plan, run_dir, limits=None):
        if not os.path.isabs(run_dir):
            raise RenderError(f"fan-out run directory {run_dir!r}: must be an absolute path")
        self.plan = plan
        self.run_dir = run_dir
        self.limits = limits or fanout_config.DEFAULT_LIMITS
        self.listen = self._socket("fanout.sock")
        self.sockets = {
            fe.name: self._socket(f"fe{index}.sock") for index, fe in enumerate(plan.frontends)
        }

    def _socket(self, name):
        path = os.path.join(self.run_dir, name)
        if len(path.encode()) > MAX_SOCKET_PATH:
            raise RenderError(
                f"Unix socket path {path} is longer than {MAX_SOCKET_PATH} bytes: "
                "choose a shorter fan-out run directory"
            )
        return path

    def socket_of(self, frontend):
        return self.sockets[frontend.name]

    @property
    def timeout(self):
        """HAProxy's server timeout toward the fan-out service: its own wait for the slowest
        branch, and a margin to merge and answer."""
        return f"{int(self.limits.timeout * 1000) + 5000}ms"

    def config(self):
        """The fan-out service's configuration (osc_scope.fanout.config's format)."""
        return {
            "format": fanout_config.FORMAT,
            "local_cloud": self.plan.local_cloud,
            "listen": self.listen,
            "frontends": {
                fe.name: {
                    "scheme": fe.scheme,
                    "socket": self.socket_of(fe),
                    "prefixes": dict(fe.prefixes),
                }
                for fe in self.plan.frontends
            },
            "limits": {
                "max_items": self.limits.max_items,
                "max_bytes": self.limits.max_bytes,
                "timeout": self.limits.timeout,
            },
        }

    def files(self):
        """{path relative to haproxy.cfg: text}: fanout.json."""
        return {FANOUT_JSON: json.dumps(self.config(), indent=1, sort_keys=True) + "\n"}
