"""``osc-scope render``: one cloud's HAProxy router (haproxy.cfg, Lua table, maps)."""

import shutil
import sys

from osc_scope.cmd.main import CommandError


def register(subparsers):
    parser = subparsers.add_parser(
        "render",
        help="write the HAProxy router of one cloud",
        description="Write haproxy.cfg, routing.lua, maps/ and lua/ for --cloud into "
        "--output-dir, from the routing table; then run 'haproxy -c' on it when haproxy is "
        "installed. Run it with: haproxy -db -f DIR/haproxy.cfg",
    )
    parser.add_argument("--table", required=True, metavar="<file>", help="the routing table")
    parser.add_argument("--cloud", required=True, metavar="<cloud>", help="the cloud to render")
    parser.add_argument("--output-dir", required=True, metavar="<dir>")
    parser.add_argument(
        "--tls-cert", metavar="<pem>", help="cert + key for the https frontends of --cloud"
    )
    parser.add_argument(
        "--ca-file", metavar="<pem>", help="CA that signed the other clouds' https frontends"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify the other clouds' certificates (explicitly unsafe)",
    )
    parser.add_argument(
        "--metrics",
        default="auto",
        metavar="<addr:port>",
        help="loopback address of the Prometheus /metrics frontend (default: port 8405 of "
        "the cloud's loopback frontend address, else of 127.0.0.1)",
    )
    parser.add_argument("--no-metrics", action="store_true", help="no metrics frontend")
    parser.add_argument(
        "--log-target",
        metavar="<target>",
        help="HAProxy log target (default: 'stdout format raw'; e.g. /dev/log)",
    )
    parser.add_argument("--threads", type=int, default=1, metavar="<n>", help="nbthread")
    parser.add_argument(
        "--check-interval", default="2s", metavar="<time>", help="health check interval"
    )
    parser.add_argument(
        "--check-rate",
        type=float,
        metavar="<n>",
        help="most health checks of other clouds per second, all together (default: 200); "
        "beyond it their interval grows, so the cost stays flat with the number of clouds",
    )
    parser.add_argument(
        "--fanout-run-dir",
        metavar="<dir>",
        help="absolute directory, on the cloud's host, of the Unix sockets of the fan-out "
        "service and of the frontends' internal listeners (default: --output-dir)",
    )
    parser.add_argument(
        "--fanout-max-items",
        type=int,
        metavar="<n>",
        help="most items one fan-out holds in memory for a merged page (default: 10000)",
    )
    parser.add_argument(
        "--fanout-max-bytes",
        type=int,
        metavar="<n>",
        help="most bytes of the clouds' answers one fan-out holds (default: 33554432)",
    )
    parser.add_argument(
        "--fanout-timeout",
        type=float,
        metavar="<seconds>",
        help="how long a fan-out waits for a cloud before it counts as missing (default: 30)",
    )
    parser.add_argument(
        "--no-check", action="store_true", help="do not run 'haproxy -c' on the result"
    )
    parser.set_defaults(func=_render)


def _render(args):
    from osc_scope.routing import render, table

    try:
        routing_table = table.load(args.table)
        config = render.render(
            routing_table,
            args.cloud,
            args.output_dir,
            tls_cert=args.tls_cert,
            ca_file=args.ca_file,
            insecure=args.insecure,
            metrics=None if args.no_metrics else args.metrics,
            log_target=args.log_target,
            threads=args.threads,
            check_interval=args.check_interval,
            check_rate=args.check_rate,
            fanout_run_dir=args.fanout_run_dir,
            fanout_limits={
                name: value
                for name, value in (
                    ("max_items", args.fanout_max_items),
                    ("max_bytes", args.fanout_max_bytes),
                    ("timeout", args.fanout_timeout),
                )
                if value is not None
            },
        )
        if not args.no_check:
            if shutil.which("haproxy"):
                render.check(config)
            else:
                print("osc-scope: haproxy not installed: config not checked", file=sys.stderr)
    except (table.TableError, render.RenderError) as exc:
        raise CommandError(str(exc)) from None
    print(config)
    return 0
