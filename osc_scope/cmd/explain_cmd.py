"""``osc-scope explain``: which backend a scope sends each service (or one path) to."""

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
        description="Show which HAProxy backend the router of --cloud picks for each of its "
        "services (or for --path) under a scope. Health is not known offline: a failover "
        "lists its backends in order.",
    )
    parser.add_argument(
        "--table",
        metavar="<file>",
        default=default_table(),
        help="the routing table (default: the lab's, %(default)s; Env: OSC_SCOPE_TABLE)",
    )
    parser.add_argument("--cloud", required=True, metavar="<cloud>", help="the router's cloud")
    parser.add_argument("--path", metavar="<path>", help="only the service at this URL path")
    parser.add_argument("scope", nargs="?", metavar="<scope>", help="the scope (JSON)")
    parser.set_defaults(func=_explain)


def _explain(args):
    from osc_scope import scope
    from osc_scope.routing import explain, plan, table

    try:
        routing_table = table.load(args.table)
        result, lines = explain.explain(routing_table, args.cloud, args.scope, args.path)
    except (table.TableError, plan.PlanError, scope.ScopeError) as exc:
        raise CommandError(str(exc)) from None
    print(explain.format_lines(result, lines))
    return 0 if all(line.status == 200 for line in lines) else 1
