"""The branches of a fan-out and the scope each sub-request carries.

``{"image": "(CloudOne|CloudOne2)&CloudTwo"}`` has two branches for ``image``:
``CloudOne|CloudOne2`` and ``CloudTwo``. A sub-request is the client's request with that
service's binding narrowed to one branch, in ``X-Scope`` and in the token's ``!SCOPE!``
suffix alike (everything else unchanged, the token included), one more hop counted. The
router then serves it as any single-cloud or failover request: health, failover, TLS and
the loop guard stay the router's.
"""

import dataclasses

from osc_scope import scope as scope_api
from osc_scope.scope import names

__all__ = ["Branch", "FanOutError", "branches_of", "sub_request_headers"]

HOP_BY_HOP = frozenset(
    h.lower()
    for h in (
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Content-Length",
    )
)
# set by the router for the fan-out service only, never passed on
ROUTER_HEADERS = frozenset(
    h.lower() for h in (names.FANOUT_SERVICE_HEADER, names.FANOUT_FRONTEND_HEADER)
)


class FanOutError(ValueError):
    """The request is not a fan-out this service can serve; the message says why."""


@dataclasses.dataclass(frozen=True)
class Branch:
    label: str  # the branch's expression, e.g. "CloudTwo" or "CloudOne|CloudOne2"
    scope: scope_api.Scope  # the whole scope with the service bound to this branch
    wire: str  # its canonical JSON, made once: every sub-request of the branch sends it


def branches_of(scope_text, service):
    """The branches of ``service``'s fan-out in the scope, in the expression's order."""
    try:
        scope = scope_api.parse(scope_text)
    except scope_api.ScopeError as exc:
        raise FanOutError(f"malformed scope: {exc}") from None
    node = scope.expression(service)
    if not isinstance(node, scope_api.FanOut):
        raise FanOutError(f"the scope does not fan {service} out to several clouds")
    bindings = {name: scope.expression(name) for name in scope}
    result = []
    for member in node.members:
        narrowed = scope_api.Scope({**bindings, service: member})
        result.append(Branch(str(member), narrowed, narrowed.to_wire()))
    return result


def sub_request_headers(headers, branch, hops):
    """The headers of one branch's sub-request, from the client's (a list of pairs)."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in HOP_BY_HOP or lower in ROUTER_HEADERS:
            continue
        if lower == scope_api.HOPS_HEADER.lower() or lower == scope_api.SCOPE_HEADER.lower():
            continue
        if lower == scope_api.TOKEN_HEADER.lower():
            token, text = scope_api.split_token(value)
            if text is not None:
                value = scope_api.join_token(token, branch.scope)  # text would be parsed
        out.append((name, value))
    out.append((scope_api.SCOPE_HEADER, branch.wire))
    out.append((scope_api.HOPS_HEADER, str(hops + 1)))
    return out
