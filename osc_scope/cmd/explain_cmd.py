"""``osc-scope explain``: which backend a scope sends each service (or one path) to."""

from osc_scope.cmd.main import CommandError


def register(subparsers):
    parser = subparsers.add_parser(
        "explain",
        help="show where a scope sends each service of a cloud",
        description="Show which HAProxy backend the router of --cloud picks for each of its "
        "services (or for --path) under a scope. Health is not known offline: a failover "
        "lists its backends in order.",
    )
    parser.add_argument("--table", required=True, metavar="<file>", help="the routing table")
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
