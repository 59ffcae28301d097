"""What a cloud's router answers, offline: for each of its services, or for one request.

The answers come from ``osc_scope.routing.decision``, the router's decision in Python,
which is checked against the same data as the Lua router and the native fast path
(``tests/vectors/decision.json``): same statuses, same messages, hops counted the same.
Health is not known offline: every backend is up unless ``down`` names it.
"""

import dataclasses

from osc_scope import scope as scope_mod
from osc_scope.routing import decision as decision_mod
from osc_scope.routing import plan as plan_mod
from osc_scope.routing.fanout_plan import FANOUT_BACKEND

__all__ = ["ExplainError", "explain", "format_lines", "health"]


class ExplainError(ValueError):
    """An option of explain that does not fit the table; the message says which."""


def health(plan, down=()):
    """``is_up(backend)`` where the backends named by ``down`` have no server up. Each item
    is a cloud (all its backends here), a backend ``<cloud>:<service>`` or the fan-out
    service (``osc-scope:fanout``, or ``fanout``); items may also be comma-separated."""
    backends = {b.name: b for b in plan.backends}
    backends[FANOUT_BACKEND] = None
    dead = set()
    for item in (part.strip() for entry in down for part in entry.split(",")):
        if item in plan.clouds:
            dead.update(name for name, b in backends.items() if b and b.cloud == item)
        elif item == "fanout":
            dead.add(FANOUT_BACKEND)
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


@dataclasses.dataclass(frozen=True)
class Line:
    """One answer of explain: the service, the router's decision, and for a fan-out the
    decision of each branch's sub-request [(branch, decision)], in the expression's order."""

    service: str
    decision: decision_mod.Decision
    branches: tuple = ()


def _branches(plan, url, headers, decision, is_up, method):
    """What the router answers each sub-request of a fan-out: the scope bound to one branch
    (osc_scope.fanout.branches), one hop more, on the same frontend."""
    from osc_scope.fanout import branches as branches_mod

    scope_header = scope_mod.SCOPE_HEADER.lower()
    sent = {name.lower(): value for name, value in headers.items()}
    wire = decision.headers.get(scope_header) or sent.get(scope_header)
    if wire is None:
        return ()
    hops = int(sent.get(scope_mod.HOPS_HEADER.lower()) or 0)
    result = []
    for branch in branches_mod.branches_of(wire, decision.service):
        sub = {scope_mod.SCOPE_HEADER: branch.wire, scope_mod.HOPS_HEADER: str(hops + 1)}
        request = decision_mod.request(plan, url, sub, method)
        result.append((branch.label, decision_mod.decide(plan, request, is_up)))
    return tuple(result)


def explain(routing_table, cloud, scope_text=None, path=None, down=(), hops=None, method="GET"):
    """(plan, [Line]): the router's answer for a ``method`` request to each local service,
    or to ``path`` (a URL of one of the cloud's frontends, or a bare path), carrying
    ``scope_text`` in X-Scope and ``hops`` in X-Scope-Hops; a fan-out with its plan."""
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
        request = decision_mod.request(plan, url, headers, method)
        decision = decision_mod.decide(plan, request, is_up)
        branches = ()
        if decision.forwarded and decision.backend == FANOUT_BACKEND:
            branches = _branches(plan, url, headers, decision, is_up, method)
        lines.append(Line(service or decision.service or "-", decision, branches))
    return plan, lines


def format_lines(plan, lines):
    """One line per service: the expression, then the backend (where it leads, and a
    failover's next ones) or the status and message of the refusal; a fan-out is followed
    by one line per branch, saying where its sub-request goes."""
    by_name = {b.name: b for b in plan.backends}

    def where(name):
        if name == FANOUT_BACKEND:
            return f"{name} (the fan-out service: one sub-request per branch, merged)"
        backend = by_name[name]
        leads = f"local {', '.join(backend.servers)}" if backend.local else backend.url
        return f"{name} ({leads})"

    def answer(decision):
        if decision.forwarded:
            backends = (decision.backend, *decision.fallbacks)
            return ", else ".join(where(name) for name in backends)
        return f"{decision.status}: {decision.message}"

    width = max(len(line.service) for line in lines)
    out = []
    for line in lines:
        out.append(f"{line.service:<{width}}  {line.decision.expression or '-'}  -> "
                   + answer(line.decision))  # fmt: skip
        out += [f"{'':<{width}}    branch {label}  -> {answer(d)}" for label, d in line.branches]
    completed = next((line.decision.headers for line in lines if line.decision.headers), None)
    if completed:
        scope_header = scope_mod.SCOPE_HEADER
        out.append(f"{scope_header} forwarded: {completed[scope_header.lower()]}")
    return "\n".join(out)
