"""The routing decision for one request, in Python: what the router answers.

The same decision as the Lua router (``haproxy/lua/osc_scope/router.lua``) and the native
fast path, plus what HAProxy itself does with the backend they name (503 when it has no
server up), so that ``osc-scope explain`` gives the router's answers. All three are
checked against one data file, ``tests/vectors/decision.json``.

The steps, in the router's order: the hop guard, the service at the path, the scope (the
``!SCOPE!`` suffix of X-Auth-Token, else X-Scope; none: every service is local), the
cloud expression of that service, then its clouds: unknown or without the service is a
refusal, one cloud is its backend, ``A|B`` the first whose backend is up, ``A&B`` (GET and
HEAD only) the fan-out service's backend. The first router forwards a scope it completed in
both headers, and a failover that falls to a fan-out option forwards the scope bound to it.

Messages are the router's words, printable ASCII on one line. A malformed scope is
described by each language's own scope decoder (``osc_scope.scope`` here), so the words
after ``malformed scope:`` may differ from the router's; the status and the fault do not.
"""

import dataclasses
import re
import urllib.parse

from osc_scope import scope as scope_mod
from osc_scope.origin import origin
from osc_scope.routing.answers import UNAVAILABLE
from osc_scope.routing.fanout_plan import FANOUT_BACKEND, FANOUT_METHODS

__all__ = ["Decision", "Request", "all_up", "decide", "match", "request", "service_at"]

HOPS = re.compile(r"[0-9]{1,6}")
MAX_PATH_SHOWN = 200  # bytes of a path quoted in a refusal


@dataclasses.dataclass(frozen=True)
class Request:
    """What the router reads from a request; header values as sent, None when absent."""

    frontend: str  # the name of the frontend it came in on (plan.Frontend.name)
    path: str
    method: str = "GET"
    token: str | None = None  # X-Auth-Token
    scope: str | None = None  # X-Scope
    hops: str | None = None  # X-Scope-Hops
    internal: bool = False  # came in on a frontend's internal listener (fan-out sub-request)


@dataclasses.dataclass(frozen=True)
class Decision:
    """Forwarded to ``backend`` (status 200 here: the backend answers), or refused."""

    status: int
    service: str | None = None
    cloud: str | None = None
    backend: str | None = None  # also set for a 503 of a backend without a server up
    message: str = ""
    headers: dict = dataclasses.field(default_factory=dict)  # replaced (lower-case names)
    expression: str = ""  # the cloud expression decided on, canonical
    fallbacks: tuple = ()  # a failover's backends after the chosen one, in order
    narrowed: object = None  # a failover's fan-out option chosen (internal to decide)

    @property
    def forwarded(self):
        return self.status == 200


def request(plan, url, headers=(), method="GET"):
    """The Request the router reads from a ``method`` request to ``url`` (an address of one
    of this cloud's frontends, else no frontend) carrying ``headers`` (names in any case)."""
    try:
        wanted = origin(url)
    except ValueError:
        wanted = None
    frontend = next((f.name for f in plan.frontends if f.origin == wanted), "")
    given = {name.lower(): value for name, value in dict(headers).items()}
    return Request(
        frontend,
        urllib.parse.urlsplit(url).path or "/",
        method=method,
        token=given.get(scope_mod.TOKEN_HEADER.lower()),
        scope=given.get(scope_mod.SCOPE_HEADER.lower()),
        hops=given.get(scope_mod.HOPS_HEADER.lower()),
    )


def all_up(backend):
    """Health when nothing is known: every backend has a server up."""
    return True


def _printable(text):
    """One line of printable ASCII, byte by byte, as the router writes messages."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return "".join(chr(b) if 32 <= b < 127 else "?" for b in raw)


def _refuse(status, message, service=None, expression=""):
    return Decision(status, service=service, message=_printable(message), expression=expression)


def match(frontend, path):
    """(prefix, service) of ``frontend`` (a plan.Frontend) serving ``path``, or None: the
    longest whole-segment prefix ("/image" serves "/image/v2", not "/images"), else the
    frontend's root ("")."""
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    best = None
    for prefix, service in frontend.prefixes.items():
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, service)
    if best is None and "" in frontend.prefixes:
        best = ("", frontend.prefixes[""])
    return best


def service_at(plan, frontend, path):
    """The local service at ``path`` on the frontend named ``frontend``, or None."""
    found = next((match(f, path) for f in plan.frontends if f.name == frontend), None)
    return found and found[1]


def _hops(value, limit):
    """(hops, None) or (None, refusal)."""
    if value is None:
        return 0, None
    if not HOPS.fullmatch(value):
        return None, _refuse(400, "X-Scope-Hops must be a small non-negative integer")
    hops = int(value)
    if hops > limit:
        return None, _refuse(
            508,
            f"the request went through {hops} scope routers, more than the {limit} clouds "
            "known: a routing loop",
        )
    return hops, None


def _forward(plan, service, cloud, expression, is_up, fallbacks=()):
    """Forward to the backend of ``cloud``; HAProxy answers 503 itself if it is down."""
    backend = plan.route(cloud, service)
    if not is_up(backend):
        message = UNAVAILABLE.format(cloud=cloud, service=service, backend=backend)
        return Decision(503, service, cloud, backend, _printable(message), expression=expression)
    return Decision(200, service, cloud, backend, expression=expression, fallbacks=fallbacks)


def _can_serve(plan, service, node, is_up):
    """Whether ``node`` can be served now: a cloud whose backend is up, a failover with an
    option that can, a fan-out with the fan-out service up and a branch that can."""
    if isinstance(node, scope_mod.Cloud):
        return is_up(plan.route(node.name, service))
    if isinstance(node, scope_mod.FanOut):
        if not is_up(FANOUT_BACKEND):
            return False
        return any(_can_serve(plan, service, m, is_up) for m in node.members)
    return any(_can_serve(plan, service, o, is_up) for o in node.options)


def _fan_out(plan, service, node, method, is_up, expression, narrowed=None):
    """To the fan-out service (GET and HEAD only), or a refusal."""
    if method not in FANOUT_METHODS:
        return _refuse(
            501,
            f"fan-out ('&') serves only GET and HEAD, not {method} ({service}: {node})",
            service,
            expression,
        )
    if not is_up(FANOUT_BACKEND):
        return _refuse(
            503,
            f"the fan-out service of cloud {plan.local_cloud} is down ({service}: {node})",
            service,
            expression,
        )
    return Decision(
        200, service, str(node), FANOUT_BACKEND, expression=expression, narrowed=narrowed
    )


def _local_alternative(plan, node, service, is_up):
    """On a later hop of a failover of clouds: the local cloud when it is one of them and
    up (the router before chose it, or failed over to it), so that two routers that disagree
    on a cloud's health cannot send a request back and forth; else None."""
    names = [option.name for option in node.options if isinstance(option, scope_mod.Cloud)]
    if len(names) != len(node.options) or plan.local_cloud not in names:
        return None
    if not is_up(plan.route(plan.local_cloud, service)):
        return None
    return names.index(plan.local_cloud)


def _choose(plan, service, node, method, is_up, from_router=False):
    """The decision for one cloud expression of ``service``."""
    expression = str(node)
    known = set(plan.clouds)
    for cloud in node.clouds():
        if cloud not in known:
            return _refuse(
                400,
                f"unknown cloud '{cloud}' in the scope of {service}; known clouds: "
                f"{plan.known_clouds_text()}",
                service,
                expression,
            )
        if plan.route(cloud, service) is None:
            return _refuse(400, f"cloud '{cloud}' has no {service} service", service, expression)
    if isinstance(node, scope_mod.FanOut):
        return _fan_out(plan, service, node, method, is_up, expression)
    if isinstance(node, scope_mod.Cloud):
        return _forward(plan, service, node.name, expression, is_up)
    here = _local_alternative(plan, node, service, is_up) if from_router else None
    tried = []
    for index, option in enumerate(node.options):
        if isinstance(option, scope_mod.FanOut):
            if method not in FANOUT_METHODS or _can_serve(plan, service, option, is_up):
                return _fan_out(plan, service, option, method, is_up, expression, option)
            tried.append(f"({option})")
            continue
        if here is not None and index != here:
            continue
        if is_up(plan.route(option.name, service)):
            later = node.options[index + 1 :]
            fallbacks = tuple(
                plan.route(o.name, service) for o in later if isinstance(o, scope_mod.Cloud)
            )
            return _forward(plan, service, option.name, expression, is_up, fallbacks)
        tried.append(option.name)
    return _refuse(503, f"no cloud of {'|'.join(tried)} is up for {service}", service, expression)


def _completed_headers(plan, scope, text, token):
    """The headers the first router replaces: the scope completed with the local cloud for
    every local service, canonical, when that differs from what was sent."""
    bindings = {service: scope_mod.Cloud(plan.local_cloud) for service in plan.local_types}
    bindings.update((service, scope.expression(service)) for service in scope)
    wire = scope_mod.Scope(bindings).to_wire()
    if wire == text:
        return {}
    headers = {scope_mod.SCOPE_HEADER.lower(): wire}
    if token is not None:
        headers[scope_mod.TOKEN_HEADER.lower()] = f"{token}{scope_mod.TOKEN_SEPARATOR}{wire}"
    return headers


def decide(plan, request, is_up=all_up):
    """The router's answer to ``request`` on ``plan``'s cloud; ``is_up(backend)`` says
    whether a backend has a server up."""
    hops, refusal = _hops(request.hops, len(plan.clouds))
    if refusal:
        return refusal
    path = request.path or ""
    service = service_at(plan, request.frontend, path)
    if service is None:
        shown = path.encode("utf-8", "surrogatepass")  # cut in bytes, as the router does
        if len(shown) > MAX_PATH_SHOWN:
            shown = shown[: MAX_PATH_SHOWN - 3] + b"..."
        where = f"no service of cloud {plan.local_cloud} at path ".encode()
        return _refuse(404, where + shown)
    token, text = None, None
    if request.token is not None:
        token, separator, suffix = request.token.partition(scope_mod.TOKEN_SEPARATOR)
        text = suffix if separator else None
    if text is None:
        text = request.scope
    if text is None:
        return _forward(plan, service, plan.local_cloud, plan.local_cloud, is_up)
    try:
        scope = scope_mod.parse(text)
    except scope_mod.ScopeError as exc:
        return _refuse(400, f"malformed scope: {exc.message}", service)
    node = scope.expression(service) or scope_mod.Cloud(plan.local_cloud)
    # a later hop, unless it is a fan-out's sub-request (a frontend's internal listener):
    # those come from this router's fan-out service, and a branch's failover keeps its order
    from_router = hops > 0 and not request.internal
    decision = _choose(plan, service, node, request.method, is_up, from_router)
    if decision.forwarded and decision.narrowed is not None:
        # the fan-out service reads the branches from the scope: bind the service to them
        bindings = {name: scope.expression(name) for name in scope}
        scope = scope_mod.Scope({**bindings, service: decision.narrowed})
        headers = _completed_headers(plan, scope, text, token)
        decision = dataclasses.replace(decision, headers=headers, narrowed=None)
    elif decision.forwarded and hops == 0:
        headers = _completed_headers(plan, scope, text, token)
        decision = dataclasses.replace(decision, headers=headers)
    return decision
