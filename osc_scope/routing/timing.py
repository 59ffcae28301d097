"""How often the router checks its backends, and how long it waits.

Health checks of the other clouds share one budget per second (``check_rate``): each
other cloud's services are checked every ``check_interval`` while they fit in it, less
often beyond it, so a router's background work does not grow with the number of clouds
(a check costs ~20 us). Local servers are always checked every ``check_interval``.
"""

import math
import re

from osc_scope.routing.errors import RenderError

__all__ = [
    "DEFAULT_CHECK_INTERVAL",
    "DEFAULT_CHECK_RATE",
    "DEFAULT_TIMEOUTS",
    "milliseconds",
    "remote_check_interval",
]

DEFAULT_CHECK_INTERVAL = "2s"
DEFAULT_CHECK_RATE = 200
DEFAULT_TIMEOUTS = {"connect": "5s", "client": "300s", "server": "300s", "check": "2s"}
TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def milliseconds(text):
    """An HAProxy time ("200ms", "2s", "1m"; a bare number is ms) in milliseconds."""
    match = re.fullmatch(r"(\d+)(us|ms|s|m|h|d)?", str(text).strip())
    if not match:
        raise RenderError(f"bad time {text!r}: use e.g. 500ms, 2s, 1m")
    return max(1, round(int(match.group(1)) * TIME_UNITS[match.group(2) or "ms"]))


def remote_check_interval(plan, check_interval, check_rate):
    """The interval of each check of another cloud, in ms: ``check_interval``, stretched so
    that all of them together stay within ``check_rate`` checks per second."""
    remote = sum(len(be.servers) for be in plan.backends if not be.local)
    if check_rate <= 0:
        raise RenderError(f"check rate must be positive, not {check_rate}")
    return max(milliseconds(check_interval), math.ceil(remote * 1000 / check_rate))
