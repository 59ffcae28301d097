"""Entry point of the ``osc-scope`` command.

Each subcommand lives in its own module under ``osc_scope.cmd`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (called with
the parsed args, returning an exit code). They are imported when the parser is
built, not with this module: each of them imports ``CommandError`` from here.
"""

import argparse
import importlib
import sys

import osc_scope

SUBCOMMAND_MODULES = (
    "osc_scope.cmd.scope_cmd",  # osc-scope scope check
    "osc_scope.cmd.table_cmd",  # osc-scope table build
    "osc_scope.cmd.render_cmd",  # osc-scope render
    "osc_scope.cmd.explain_cmd",  # osc-scope explain
    "osc_scope.cmd.lab_cmd",  # osc-scope lab up|status|down
    "osc_scope.cmd.fanout_cmd",  # osc-scope fanout serve
)


class CommandError(Exception):
    """A failure to report to the user in one line, without a traceback."""


def build_parser():
    parser = argparse.ArgumentParser(
        prog="osc-scope",
        description="Make independent OpenStack clouds collaborate, one request at a time.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {osc_scope.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    subparsers.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except CommandError as exc:
        print(f"osc-scope: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
