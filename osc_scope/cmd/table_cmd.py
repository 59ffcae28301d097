"""``osc-scope table build|check``: the routing table from the clouds' catalogs."""

import json
import sys

from osc_scope.cmd.main import CommandError
from osc_scope.routing import catalog, table


def register(subparsers):
    parser = subparsers.add_parser(
        "table",
        help="build or check the routing table",
        description="Build the routing table (one JSON file for all clouds) from the Keystone "
        "endpoint catalogs of the clouds, or check an existing one.",
    )
    actions = parser.add_subparsers(dest="action", metavar="<action>")
    actions.required = True

    build = actions.add_parser(
        "build",
        help="build the table from catalogs",
        description="Each region found in the catalogs becomes a cloud of the table.",
    )
    build.add_argument(
        "--from-file",
        metavar="<file>",
        action="append",
        default=[],
        help="a saved 'openstack endpoint list -f json' (repeat for each cloud)",
    )
    build.add_argument(
        "--from-cloud",
        metavar="<cloud>",
        action="append",
        default=[],
        help="a cloud of clouds.yaml, its catalog read live (repeat for each cloud)",
    )
    build.add_argument(
        "--backends",
        metavar="<file>",
        action="append",
        default=[],
        help='JSON {"<endpoint URL>": ["host:port", ...]}: the real services behind HAProxy',
    )
    build.add_argument(
        "--region",
        metavar="<region>",
        action="append",
        default=[],
        help="keep only this region (repeat to keep several)",
    )
    build.add_argument(
        "-o", "--output", metavar="<file>", help="write the table here (default: stdout)"
    )
    build.set_defaults(func=_build)

    check = actions.add_parser("check", help="validate a table and summarise it")
    check.add_argument("path", metavar="<file>")
    check.set_defaults(func=_check)


def _build(args):
    if not args.from_file and not args.from_cloud:
        raise CommandError("give at least one --from-file or --from-cloud")
    try:
        endpoints = []
        for path in args.from_file:
            endpoints += catalog.read_file(path)
        for cloud in args.from_cloud:
            endpoints += catalog.read_cloud(cloud)
        backends = {}
        for path in args.backends:
            backends.update(table.read_backends(path))
        result = table.build(endpoints, backends, regions=set(args.region) or None)
    except (catalog.CatalogError, table.TableError) as exc:
        raise CommandError(str(exc)) from None
    if args.output:
        result.dump(args.output)
        print(f"wrote {args.output}: {_summary(result)}", file=sys.stderr)
    else:
        json.dump(result.to_dict(), sys.stdout, indent=1)
        print()
    return 0


def _check(args):
    try:
        result = table.load(args.path)
    except table.TableError as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.path}: {_summary(result)}")
    for cloud in result.clouds.values():
        print(f"  {cloud.name}: {', '.join(cloud.frontends)}: {', '.join(cloud.service_types)}")
    return 0


def _summary(result):
    routes = sum(len(c.endpoints) for c in result.clouds.values())
    return f"{len(result.clouds)} clouds, {routes} endpoints"
