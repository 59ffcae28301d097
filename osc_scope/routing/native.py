"""The native fast path: the scopes HAProxy routes without Lua, and the rules that do it.

Owned here alone: which scopes qualify (two regexes, written to ``maps/``), the ACLs and
``http-request`` rules that route them (the same lines in every frontend of haproxy.cfg),
and the longest failover served natively. The rules read ``txn.osc_service`` (the service
at the path) and ``txn.osc_scope`` (the scope text) set before them, and set
``txn.osc_backend`` and ``txn.osc_cloud`` when they decide; whatever they leave undecided
goes to the Lua router, which gives the same answers (tests/vectors/decision.json).

What qualifies: a canonical scope of single clouds or failovers of up to FAST_FAILOVER
clouds, complete on the first hop (a partial scope must be completed, which Lua does),
with at most one sane X-Scope-Hops within the loop guard; every cloud named must have a
route for the service. Refusals, aliases, fan-out and anything unusual take the Lua path.
"""

import re

from osc_scope.routing.failover import HEALTH_SUFFIX
from osc_scope.routing.fanout_plan import INTERNAL_LISTENER
from osc_scope.routing.router_data import MAPS_DIR, ROUTES_MAP
from osc_scope.scope.names import CLOUD_NAME_PATTERN

__all__ = ["FAST_FAILOVER", "files", "frontend_rules", "scope_regex"]

FAST_FAILOVER = 3  # the native path serves A, A|B and A|B|C; longer ones go to Lua
CLOUD_VALUE = f"{CLOUD_NAME_PATTERN}(?:\\|{CLOUD_NAME_PATTERN}){{0,{FAST_FAILOVER - 1}}}"
COMPLETE_RE = f"{MAPS_DIR}/scope-complete.re"
CANONICAL_RE = f"{MAPS_DIR}/scope-canonical.re"


def scope_regex(types, required=()):
    """A regex matching exactly the canonical scopes over ``types`` naming single clouds.

    Keys in sorted order, each at most once (so no duplicate, no alias, no unknown type),
    every ``required`` type present (a complete scope), nothing else: what the native fast
    path may route without the Lua router.
    """
    parts = []
    for service in sorted(types):
        item = f'(?:(?<=\\{{)|(?<!\\{{),)"{re.escape(service)}":"{CLOUD_VALUE}"'
        parts.append(f"(?:{item})" if service in required else f"(?:{item})?")
    return "^\\{" + "".join(parts) + "\\}$"


def files(plan):
    """{path relative to haproxy.cfg: text} of the regexes the rules read."""
    return {
        COMPLETE_RE: scope_regex(plan.table_types, plan.local_types) + "\n",
        CANONICAL_RE: scope_regex(plan.table_types) + "\n",
    }


def _routable(alternatives):
    """ACL terms: every alternative of a failover has a backend (A|B, A|B|C)."""
    terms = []
    for count in range(2, alternatives + 1):
        term = ["osc_multi"] + [f"osc_b{i}" for i in range(1, count + 1)]
        if count < alternatives:
            term.append(f"!osc_c{count + 1}")
        terms.append(" ".join(term))
    return " || ".join(terms)


def frontend_rules(plan):
    """The lines (without indentation) every frontend runs after setting the service and
    the scope. Cost per request is fixed: map and backend lookups, no cloud named."""
    # the route key is cloud/service (plan.route_key): concat appends the service
    route = f"concat(/,txn.osc_service,),map_str({ROUTES_MAP})"
    fast = "osc_service osc_hops_one osc_hops_ok osc_hops_le"
    lines = [
        "# native fast path (osc_scope/routing/native.py): only a canonical scope (complete",
        f"# on the first hop) of one cloud or a failover of up to {FAST_FAILOVER}",
        "acl osc_service var(txn.osc_service) -m found",
        "acl osc_scope var(txn.osc_scope) -m found",
        "acl osc_hops req.hdr_cnt(x-scope-hops) gt 0",
        "acl osc_hops_ok req.fhdr(x-scope-hops) -m reg ^[0-9]{1,6}$",
        "acl osc_hops_one req.hdr_cnt(x-scope-hops) eq 1",
        f"acl osc_hops_le req.hdr_val(x-scope-hops,-1) le {len(plan.clouds)}",
        f"acl osc_complete var(txn.osc_scope) -m reg -f {COMPLETE_RE}",
        f"acl osc_canonical var(txn.osc_scope) -m reg -f {CANONICAL_RE}",
        "acl osc_fast var(txn.osc_fast) -m bool",
        "http-request set-var(txn.osc_fast) bool(1) if "
        "osc_service !osc_hops !osc_scope || osc_service !osc_hops osc_complete || "
        f"{fast} !osc_scope || {fast} osc_canonical",
    ]
    lines += [
        f"http-request set-var(txn.osc_expr) var(txn.osc_scope),json_query('$.{service}') "
        f"if {{ var(txn.osc_service) -m str {service} }} osc_scope osc_fast"
        for service in plan.local_types
    ]
    lines += [
        f"http-request set-var(txn.osc_expr) str({plan.local_cloud}) "
        "if osc_fast !{ var(txn.osc_expr) -m found }",
        "# one cloud: its backend, straight from the routes map (HAProxy answers 503 if it "
        "is down)",
        f"http-request set-var(txn.osc_backend) var(txn.osc_expr),{route} if osc_fast",
        "# a failover A|B|C: the first alternative up (its health twin, failover.py, has a",
        "# server up), if every one is a cloud with this service",
        "http-request set-var(txn.osc_multi) bool(1) "
        "if osc_fast !{ var(txn.osc_backend) -m found } { var(txn.osc_expr) -m sub | }",
        "acl osc_multi var(txn.osc_multi) -m bool",
    ]
    for i in range(1, FAST_FAILOVER + 1):
        lines.append(
            f"http-request set-var(txn.osc_b{i}) var(txn.osc_expr),field({i},|),{route} "
            "if osc_multi"
        )
        lines.append(f"acl osc_b{i} var(txn.osc_b{i}) -m found")
        if i > 2:
            lines.append(f"acl osc_c{i} var(txn.osc_expr),field({i},|) -m found")
    lines += [
        f"http-request set-var(txn.osc_routable) bool(1) if {_routable(FAST_FAILOVER)}",
        "acl osc_routable var(txn.osc_routable) -m bool",
    ]
    # a later hop: the local cloud when it is an alternative and up (failover.py)
    local_route = f"str({plan.local_cloud}),{route}"
    lines += [
        f"acl osc_local_alt var(txn.osc_expr),field({i},|) -m str {plan.local_cloud}"
        for i in range(1, FAST_FAILOVER + 1)
    ]
    lines += [
        f"acl osc_local_up {local_route},concat(,,{HEALTH_SUFFIX}),nbsrv gt 0",
        "acl osc_local_up stopping",
        # not for the fan-out service's sub-requests: a branch's failover keeps its order
        f"acl osc_internal so_name -m str {INTERNAL_LISTENER}",
        f"http-request set-var(txn.osc_backend) {local_route} if "
        "!{ var(txn.osc_backend) -m found } osc_routable osc_hops !osc_internal osc_local_alt "
        "osc_local_up",
    ]
    for i in range(1, FAST_FAILOVER + 1):
        lines += [
            f"acl osc_up{i} var(txn.osc_b{i}),concat(,,{HEALTH_SUFFIX}),nbsrv gt 0",
            # a worker stopping after a reload counts no server in any backend: it takes
            # the first alternative (a failed connection still fails over)
            f"acl osc_up{i} stopping",
            f"http-request set-var(txn.osc_backend) var(txn.osc_b{i}) if "
            f"!{{ var(txn.osc_backend) -m found }} osc_routable osc_b{i} osc_up{i}",
        ]
    lines += [
        "# the cloud is the backend's name up to ':' (cloud names have none)",
        "http-request set-var(txn.osc_cloud) var(txn.osc_backend),field(1,:)",
    ]
    return lines
