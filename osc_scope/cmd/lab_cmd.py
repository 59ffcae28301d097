"""``osc-scope lab up|status|down``: the local two-cloud lab (see ``osc_scope.lab``)."""

import argparse
import os
import sys

from osc_scope.cmd.main import CommandError

DEFAULT_WORKDIR = "lab"


def register(subparsers):
    parser = subparsers.add_parser(
        "lab",
        help="start, check or stop the local multi-cloud lab",
        description="Real OpenStack clouds (Keystone, Glance, Placement, Nova with the fake "
        "driver, Neutron) on loopback, one address per cloud, each behind its HAProxy router.",
    )
    actions = parser.add_subparsers(dest="action", metavar="<action>")
    actions.required = True

    def add(name, help_text, func):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--workdir",
            metavar="<dir>",
            default=os.environ.get("OSC_SCOPE_LAB_DIR", DEFAULT_WORKDIR),
            help="where the lab keeps everything (default: ./lab; Env: OSC_SCOPE_LAB_DIR)",
        )
        action.set_defaults(func=func)
        return action

    up = add("up", "build (first time) and start the lab", _up)
    up.add_argument(
        "--clouds",
        metavar="<names>",
        help="comma-separated cloud names, one loopback address each "
        "(default: CloudOne,CloudTwo; fixed when the lab is first built)",
    )
    up.add_argument(
        "--wan",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="put each cloud's edge in its own network namespace, joined to the others by "
        "links that lab cut and lab heal break and mend (default: as the lab was; a new lab "
        "has none: loopback only)",
    )
    up.add_argument(
        "--wan-netem",
        metavar="<netem args>",
        help="tc netem arguments for every WAN link, each direction, e.g. "
        "'delay 50ms 5ms loss 0.1%%' ('' for none; needs the kernel's sch_netem)",
    )
    add("status", "show whether every cloud answers (exit 0 only if all do)", _status)
    for name, help_text, func in (
        ("cut", "cut the WAN link between two clouds: a partition (lab up --wan)", _cut),
        ("heal", "heal the WAN link between two clouds", _heal),
    ):
        action = add(name, help_text, func)
        action.add_argument("clouds", nargs=2, metavar="<cloud>")
    add("down", "stop every process the lab started", _down)


def _lab():
    from osc_scope.lab import control, errors, orchestrate  # heavy: only for lab commands

    return orchestrate, control, errors


def _print(line):
    print(line, flush=True)


def _up(args):
    orchestrate, _, errors = _lab()
    names = None
    if args.clouds:
        names = [n.strip() for n in args.clouds.split(",") if n.strip()]
        from osc_scope.scope.names import is_cloud_name

        bad = [n for n in names if not is_cloud_name(n)]
        if bad or not names or len(set(names)) != len(names):
            raise CommandError(f"--clouds: expected distinct names of A-Z a-z 0-9 _ . -, got "
                               f"{args.clouds!r}")  # fmt: skip
    try:
        seconds = orchestrate.up(
            args.workdir, names, progress=_print, wan=args.wan, wan_netem=args.wan_netem
        )
    except errors.LabError as exc:
        where = f" (see {exc.log})" if exc.log else ""
        raise CommandError(f"lab up failed: {exc}{where}") from None
    clouds_yaml = os.path.join(os.path.abspath(args.workdir), "clouds.yaml")
    print(f"export OS_CLIENT_CONFIG_FILE={clouds_yaml}")
    print(f"ready in {seconds:.0f} s", flush=True)
    return 0


def _status(args):
    _, control, errors = _lab()
    try:
        healthy = control.status(args.workdir, progress=_print)
    except errors.LabError as exc:
        raise CommandError(str(exc)) from None
    print("every cloud answers" if healthy else "some parts do not answer", file=sys.stderr)
    return 0 if healthy else 1


def _down(args):
    _, control, errors = _lab()
    try:
        control.down(args.workdir, progress=_print)
    except errors.LabError as exc:
        raise CommandError(str(exc)) from None
    return 0


def _cut(args):
    return _link(args, "cut")


def _heal(args):
    return _link(args, "heal")


def _link(args, action):
    _, control, errors = _lab()
    try:
        getattr(control, action)(args.workdir, *args.clouds, progress=_print)
    except errors.LabError as exc:
        raise CommandError(str(exc)) from None
    return 0
