"""``osc-scope explain``: what a cloud's router answers under a scope, offline."""

import os

from osc_scope.cmd.main import CommandError


def default_table():
    """``$OSC_SCOPE_TABLE``, else the routing table of the lab in ``$OSC_SCOPE_LAB_DIR`` or
    ``./lab`` (what ``osc-scope lab up`` generates), so ``explain`` works there as is."""
    if os.environ.get("OSC_SCOPE_TABLE"):
        return os.environ["OSC_SCOPE_TABLE"]
    return os.path.join(os.environ.get("OSC_SCOPE_LAB_DIR", "lab"), "routing", "table.json")


def register(subparsers):
    parser = subparsers.add_parser(
        "explain",
        help="show where a scope sends each service of a cloud",
        description="Show what the router of --cloud answers for each of its services (or "
        "for --path) under a scope: the backend it forwards to, or the status and message "
        "of its refusal, as the router gives them. Health is not known offline: every "
        "backend is up unless --down says otherwise; a failover lists its backends in order, a "
        "fan-out (A&B) where each branch's sub-request goes.",
    )
    parser.add_argument(
        "--table",
        metavar="<file>",
        default=default_table(),
        help="the routing table (default: the lab's, %(default)s; Env: OSC_SCOPE_TABLE)",
    )
    parser.add_argument("--cloud", required=True, metavar="<cloud>", help="the router's cloud")
    parser.add_argument(
        "--path",
        metavar="<path>",
        help="only the request to this URL of the cloud, or this path (e.g. /image/v2/images)",
    )
    parser.add_argument(
        "--down",
        action="append",
        default=[],
        metavar="<cloud>[:<service>]",
        help="take this cloud's backends (or only this backend, e.g. CloudTwo:image) as having "
        "no server up (repeat, or separate with commas)",
    )
    parser.add_argument(
        "--hops",
        metavar="<n>",
        help="the request's X-Scope-Hops, as another router would send it (default: none, a "
        "request from a client)",
    )
    parser.add_argument(
        "--method",
        default="GET",
        type=str.upper,
        metavar="<method>",
        help="the request's method (default: GET; a fan-out serves GET and HEAD only)",
    )
    parser.add_argument("scope", nargs="?", metavar="<scope>", help="the scope (JSON)")
    parser.set_defaults(func=_explain)


def _explain(args):
    from osc_scope.routing import explain, plan, table

    try:
        routing_table = table.load(args.table)
        result, lines = explain.explain(
            routing_table, args.cloud, args.scope, args.path, args.down, args.hops, args.method
        )
    except (table.TableError, plan.PlanError, explain.ExplainError) as exc:
        raise CommandError(str(exc)) from None
    print(explain.format_lines(result, lines))
    return 0 if all(line.decision.forwarded for line in lines) else 1
