"""Write one cloud's router: haproxy.cfg, the Lua table, the maps, and the Lua modules.

Everything lands in one directory that HAProxy runs from alone (``default-path config``):
``haproxy.cfg`` (from ``haproxy/haproxy.cfg.j2``), the data both routing paths read
(``routing.lua`` and ``maps/``, see ``router_data``), the native fast path's regexes
(``native``) and ``lua/`` (copies of ``haproxy/lua``). This module only checks the options
and puts the parts together; each part has its own module.
"""

import ipaddress
import pathlib
import re
import shutil

from osc_scope.fanout import config as fanout_config
from osc_scope.routing import answers, failover, fanout_plan, native, router_data, timing
from osc_scope.routing import plan as plan_mod
from osc_scope.routing.errors import RenderError
from osc_scope.routing.haproxy import check, haproxy_dir
from osc_scope.scope import names

__all__ = ["RenderError", "check", "haproxy_dir", "render"]

DEFAULT_METRICS_PORT = 8405


def _server_name(address):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", address)


def _check_metrics(address):
    host, _, port = address.rpartition(":")
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback or not port.isdigit():
        raise RenderError(f"--metrics {address}: must be a loopback address:port")


def default_metrics(plan):
    """Port 8405 of the cloud's own loopback address if it has one (one lab cloud per
    127.0.0.x address), else of 127.0.0.1."""
    for frontend in plan.frontends:
        try:
            if ipaddress.ip_address(frontend.host.strip("[]")).is_loopback:
                return f"{frontend.host}:{DEFAULT_METRICS_PORT}"
        except ValueError:
            continue
    return f"127.0.0.1:{DEFAULT_METRICS_PORT}"


def _wan(wan):
    if not wan:
        return None
    try:
        address = ipaddress.ip_address(wan["address"])
        namespace = wan["namespace"]
    except (KeyError, TypeError, ValueError) as exc:
        raise RenderError(f"wan: needs an IP address and a namespace ({exc})") from None
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", namespace):
        raise RenderError(f"wan: bad namespace name {namespace!r}")
    return {"address": str(address), "namespace": namespace}


def _template(source):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(source)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["server_name"] = _server_name
    env.filters["regex"] = re.escape
    env.filters["health_backend"] = failover.health_backend
    return env.get_template("haproxy.cfg.j2")


def render(routing_table, cloud, output_dir, **options):
    """Write the router of ``cloud`` into ``output_dir``; return the haproxy.cfg path.

    Options: tls_cert, ca_file, insecure, metrics ("auto", "127.0.0.1:8405" or None), log_target,
    log_level, threads, check_interval, check_rate (most checks of other clouds per
    second), timeouts (dict), fast_path (False: Lua only), fanout_run_dir (absolute
    directory of the fan-out service's and the internal listeners' Unix sockets; default:
    ``output_dir``), fanout_limits (dict, osc_scope.fanout.config.Limits), wan (dict:
    ``address`` and ``namespace``: the frontends are bound again on that address in that
    network namespace, and the other clouds are reached from it; see osc_scope.lab.mesh).
    """
    try:
        plan = plan_mod.build(routing_table, cloud)
    except plan_mod.PlanError as exc:
        raise RenderError(str(exc)) from None
    tls_cert, ca_file = options.get("tls_cert"), options.get("ca_file")
    insecure = bool(options.get("insecure"))
    if any(fe.scheme == "https" for fe in plan.frontends) and not tls_cert:
        raise RenderError(f"{cloud} has https frontends: give --tls-cert (PEM cert + key)")
    if any(be.tls for be in plan.backends) and not (ca_file or insecure):
        raise RenderError("other clouds use https: give --ca-file, or --insecure explicitly")
    check_interval = options.get("check_interval") or timing.DEFAULT_CHECK_INTERVAL
    check_rate = float(options.get("check_rate") or timing.DEFAULT_CHECK_RATE)
    remote_interval = timing.remote_check_interval(plan, check_interval, check_rate)
    metrics = options.get("metrics", "auto")
    if metrics == "auto":
        metrics = default_metrics(plan)
    if metrics:
        _check_metrics(metrics)

    run_dir = options.get("fanout_run_dir") or str(pathlib.Path(output_dir).resolve())
    try:
        limits = fanout_config.Limits.from_dict(options.get("fanout_limits") or {})
    except fanout_config.ConfigError as exc:
        raise RenderError(f"fan-out {exc}") from None
    fanout = fanout_plan.FanOutPlan(plan, run_dir, limits)

    source = haproxy_dir()
    fast_path = options.get("fast_path", True)
    text = _template(source).render(
        plan=plan,
        tls_cert=tls_cert and str(pathlib.Path(tls_cert).resolve()),
        ca_file=ca_file and str(pathlib.Path(ca_file).resolve()),
        insecure=insecure,
        metrics=metrics,
        log_target=options.get("log_target") or "stdout format raw",
        log_level=options.get("log_level") or "info",
        threads=int(options.get("threads") or 1),
        check_interval=f"{timing.milliseconds(check_interval)}ms",
        remote_check_interval=f"{remote_interval}ms",
        timeouts={**timing.DEFAULT_TIMEOUTS, **(options.get("timeouts") or {})},
        maps_dir=router_data.MAPS_DIR,
        routing_lua=router_data.ROUTING_LUA,
        prefix_map=router_data.prefix_map_path,
        native_rules=native.frontend_rules(plan) if fast_path else [],
        fast_failover=native.FAST_FAILOVER,
        fanout=fanout,
        wan=_wan(options.get("wan")),
        fanout_backend=fanout_plan.FANOUT_BACKEND,
        internal_listener=fanout_plan.INTERNAL_LISTENER,
        names=names,
        health_suffix=failover.HEALTH_SUFFIX,
        retry_on=failover.RETRY_ON,
        reentry_binds=failover.reentry_addresses(plan),
        reentries={be.name: failover.reentry_for(plan, be) for be in plan.backends},
        http_errors=answers.http_error_pages(),
        refusals=[
            (answers.refusal_backend(code), code, title) for code, title in answers.REFUSALS
        ],
    )
    out = pathlib.Path(output_dir)
    (out / router_data.MAPS_DIR).mkdir(parents=True, exist_ok=True)
    (out / "haproxy.cfg").write_text(text)
    parts = {**router_data.files(plan), **native.files(plan), **fanout.files()}
    for path, content in parts.items():
        (out / path).write_text(content)
    shutil.copytree(source / "lua", out / "lua", dirs_exist_ok=True)
    return out / "haproxy.cfg"
