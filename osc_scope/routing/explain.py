"""What a cloud's router answers, offline: for each of its services, or for one request.

The answers come from ``osc_scope.routing.decision``, the router's decision in Python,
which is checked against the same data as the Lua router and the native fast path
(``tests/vectors/decision.json``): same statuses, same messages, hops counted the same.
Health is not known offline: every backend is up unless ``down`` names it.
"""

from osc_scope import scope as scope_mod
from osc_scope.routing import decision as decision_mod
from osc_scope.routing import plan as plan_mod

__all__ = ["ExplainError", "explain", "format_lines", "health"]


class ExplainError(ValueError):
    """An option of explain that does not fit the table; the message says which."""


def health(plan, down=()):
    """``is_up(backend)`` where the backends named by ``down`` have no server up. Each item
    is a cloud (all its backends here) or a backend ``<cloud>:<service>``; items may also
    be comma-separated."""
    backends = {b.name: b for b in plan.backends}
    dead = set()
    for item in (part.strip() for entry in down for part in entry.split(",")):
        if item in plan.clouds:
            dead.update(name for name, b in backends.items() if b.cloud == item)
        elif item in backends:
            dead.add(item)
        elif item:
            raise ExplainError(
                f"--down {item}: neither a cloud of the table nor a backend "
                f"(<cloud>:<service>) of {plan.local_cloud}'s router"
            )
    return lambda backend: backend not in dead


def _bare_path_url(plan, path):
    """A bare path means the frontend that serves it with the longest prefix (the root of
    a port, such as Neutron's, last); none serves it: the first frontend (a 404)."""
    found = [(decision_mod.match(f, path), f) for f in plan.frontends]
    served = [(m[0], f) for m, f in found if m is not None]
    frontend = max(served, key=lambda item: len(item[0]))[1] if served else plan.frontends[0]
    return frontend.origin + path


def _service_urls(plan):
    """{service: a URL of it}, for every local service: its first prefix on its frontend."""
    urls = {}
    for frontend in plan.frontends:
        for prefix, service in sorted(frontend.prefixes.items()):
            urls.setdefault(service, f"{frontend.origin}{prefix or '/'}")
    return {service: urls[service] for service in plan.local_types}


def explain(routing_table, cloud, scope_text=None, path=None, down=(), hops=None):
    """(plan, [(service, decision)]): the router's answer for a request to each local
    service, or to ``path`` (a URL of one of the cloud's frontends, or a bare path),
    carrying ``scope_text`` in X-Scope and ``hops`` in X-Scope-Hops."""
    plan = plan_mod.build(routing_table, cloud)
    is_up = health(plan, down)
    if path is None:
        urls = _service_urls(plan)
    else:
        urls = {None: path if "://" in path else _bare_path_url(plan, path)}
    headers = {}
    if scope_text is not None:
        headers[scope_mod.SCOPE_HEADER] = scope_text
    if hops is not None:
        headers[scope_mod.HOPS_HEADER] = hops
    lines = []
    for service, url in urls.items():
        decision = decision_mod.decide(plan, decision_mod.request(plan, url, headers), is_up)
        lines.append((service or decision.service or "-", decision))
    return plan, lines


def format_lines(plan, lines):
    """One line per (service, decision): the expression, then the backend (where it leads,
    and a failover's next ones) or the status and message of the refusal."""
    by_name = {b.name: b for b in plan.backends}

    def where(name):
        backend = by_name[name]
        leads = f"local {', '.join(backend.servers)}" if backend.local else backend.url
        return f"{name} ({leads})"

    width = max(len(service) for service, _ in lines)
    out = []
    for service, decision in lines:
        head = f"{service:<{width}}  {decision.expression or '-'}  -> "
        if decision.forwarded:
            backends = (decision.backend, *decision.fallbacks)
            out.append(head + ", else ".join(where(name) for name in backends))
        else:
            out.append(f"{head}{decision.status}: {decision.message}")
    completed = next((d.headers for _, d in lines if d.headers), None)
    if completed:
        scope_header = scope_mod.SCOPE_HEADER
        out.append(f"{scope_header} forwarded: {completed[scope_header.lower()]}")
    return "\n".join(out)
