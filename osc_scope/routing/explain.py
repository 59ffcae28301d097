"""Where a scope sends each service of one cloud: the router's decision, offline.

Reads the same plan as the rendered router (``osc_scope.routing.plan``) and the scope with
``osc_scope.scope``; health is unknown offline, so a failover lists its order. The live
router's answer for one request is in its access log (``cloud=... service=...``).
"""

import dataclasses
import urllib.parse

from osc_scope import scope as scope_mod
from osc_scope.routing import plan as plan_mod
from osc_scope.routing import table as table_mod

__all__ = ["Line", "explain", "format_lines", "service_at"]


@dataclasses.dataclass
class Line:
    service: str
    expression: str
    backends: list  # in failover order; empty when refused
    status: int = 200
    reason: str = ""


def service_at(plan, path):
    """The local service at ``path``: longest whole-segment prefix, as the router does.

    ``path`` may be a full URL (its frontend decides, as for a request); a bare path is
    looked up on every frontend, the root of a port (e.g. Neutron's) last.
    """
    frontends = plan.frontends
    if "://" in path:
        parts = urllib.parse.urlsplit(path)
        wanted = table_mod.frontend_of(path)
        frontends = [f for f in frontends if f"{f.scheme}://{f.bind}" == wanted]
        path = parts.path
    best = None
    for frontend in frontends:
        for prefix, service in frontend.prefixes.items():
            if path == prefix or path.startswith(prefix + "/"):
                if best is None or len(prefix) > len(best[0]):
                    best = (prefix, service)
    return best and best[1]


def _decide(plan, service, node):
    text = str(node)
    for cloud in node.clouds():
        if cloud not in plan.clouds:
            known = ", ".join(plan.clouds)
            return Line(service, text, [], 400, f"unknown cloud {cloud!r}; known: {known}")
        if plan.route(cloud, service) is None:
            return Line(service, text, [], 400, f"cloud {cloud!r} has no {service} service")
    options = node.options if isinstance(node, scope_mod.Failover) else (node,)
    backends = []
    for option in options:
        if isinstance(option, scope_mod.FanOut):
            reason = "fan-out ('&') is not served by the router yet"
            return Line(service, text, backends, 501, reason)
        backends.append(plan.route(option.name, service))
    return Line(service, text, backends)


def explain(routing_table, cloud, scope_text=None, path=None):
    """Lines for every local service (or the one at ``path``) under ``scope_text``."""
    plan = plan_mod.build(routing_table, cloud)
    services = plan.local_types
    if path is not None:
        service = service_at(plan, path)
        if service is None:
            return plan, [Line("-", "-", [], 404, f"no service of {cloud} at path {path}")]
        services = [service]
    scope = scope_mod.parse(scope_text) if scope_text else scope_mod.Scope()
    lines = []
    for service in services:
        node = scope.expression(service) or scope_mod.Cloud(plan.local_cloud)
        lines.append(_decide(plan, service, node))
    return plan, lines


def format_lines(plan, lines):
    """Human-readable lines: service, expression, backends (with where they lead)."""
    by_name = {b.name: b for b in plan.backends}
    out = []
    width = max(len(line.service) for line in lines)
    for line in lines:
        if line.status != 200:
            out.append(
                f"{line.service:<{width}}  {line.expression}  -> {line.status}: {line.reason}"
            )
            continue
        hops = []
        for name in line.backends:
            backend = by_name[name]
            where = f"local {', '.join(backend.servers)}" if backend.local else backend.url
            hops.append(f"{name} ({where})")
        out.append(f"{line.service:<{width}}  {line.expression}  -> " + ", else ".join(hops))
    return "\n".join(out)
