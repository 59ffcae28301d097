"""``osc-scope fanout serve``: this cloud's fan-out service (see ``osc_scope.fanout``)."""

import logging
import os

from osc_scope.cmd.main import CommandError


def register(subparsers):
    parser = subparsers.add_parser(
        "fanout",
        help="serve fan-outs (A&B) for this cloud's HAProxy router",
        description="The fan-out service the router hands requests whose scope binds their "
        "service to several clouds (A&B). It listens on the Unix socket of its "
        "configuration (fanout.json, written by 'osc-scope render') and sends its "
        "sub-requests back through the router's frontends.",
    )
    actions = parser.add_subparsers(dest="action", metavar="<action>")
    actions.required = True
    serve = actions.add_parser("serve", help="run in the foreground until SIGTERM or SIGINT")
    serve.add_argument(
        "--config",
        required=True,
        metavar="<file>",
        help="fanout.json from 'osc-scope render' (next to haproxy.cfg)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="one line per fan-out at info (never a header value)",
    )
    serve.set_defaults(func=_serve)


def _serve(args):
    try:
        from aiohttp import web

        from osc_scope.fanout import config as config_mod
        from osc_scope.fanout import server
    except ModuleNotFoundError as exc:
        raise CommandError(
            f"the fan-out service needs {exc.name}: pip install 'osc-scope[fanout]'"
        ) from None
    try:
        config = config_mod.load(args.config)
    except config_mod.ConfigError as exc:
        raise CommandError(str(exc)) from None
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # one line per fan-out
    if os.path.exists(config.listen):
        os.unlink(config.listen)  # a socket left by a process that died
    web.run_app(
        server.make_app(config),
        path=config.listen,
        print=None,
        handle_signals=True,
        shutdown_timeout=5,
    )
    return 0
