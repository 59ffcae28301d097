"""``osc-scope scope check '<scope>'``: print the canonical scope, or why it is refused.

The same parser the ``openstack`` plugin uses, without a cloud: handy to check a scope
before using it, or to see what a router will read (``--local-cloud`` completes it).
"""

from osc_scope.cmd.main import CommandError
from osc_scope.scope import ScopeError, parse
from osc_scope.scope.service_types import normalize


def register(subparsers):
    parser = subparsers.add_parser("scope", help="check and show scopes")
    commands = parser.add_subparsers(dest="scope_command", metavar="<scope command>")
    commands.required = True
    check = commands.add_parser(
        "check", help="print the canonical scope (completed with --local-cloud), or the error"
    )
    check.add_argument("scope", metavar="<scope>", help='JSON, e.g. \'{"image": "CloudTwo"}\'')
    check.add_argument(
        "--local-cloud",
        metavar="<name>",
        help="bind the services the scope does not name to this cloud (a region id)",
    )
    check.add_argument(
        "--services",
        metavar="<type,...>",
        default="",
        help="service types to complete with --local-cloud (default: identity and the "
        "services the scope names)",
    )
    check.set_defaults(func=check_scope)


def check_scope(args):
    try:
        scope = parse(args.scope)
        if args.local_cloud:
            names = [normalize(name.strip()) for name in args.services.split(",") if name.strip()]
            scope = scope.complete(args.local_cloud, ["identity", *names])
    except ScopeError as exc:
        raise CommandError(str(exc)) from None
    print(scope.to_wire())
    return 0
