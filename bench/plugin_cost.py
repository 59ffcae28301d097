"""What the ``--os-scope`` plugin adds to an ``openstack`` command, in milliseconds.

Runs the same ``openstack image list`` against a loopback Keystone + Glance (the fake
cloud of ``tests/functional/cli``), interleaving three variants, and prints medians:

* plain:   the plugin filtered out (a PYTHONPATH overlay whose osc-scope metadata has no
           ``openstack.cli.extension``; importlib.metadata keeps the first of a name);
* plugin:  the plugin installed, no scope given (the cost every user pays);
* scoped:  the plugin with ``--os-scope`` (parse, service types, session hook).

The overlay is on PYTHONPATH in all three variants, so only the entry point differs.
Bounded: ``--runs`` per variant (default 15) plus one warm-up each; loopback only.

    .venv/bin/python bench/plugin_cost.py [--runs 15]
"""

import argparse
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
GOAL_MS = 30
IN_PROCESS_RUNS = 7


def _fake_cloud_module():
    path = REPO / "tests" / "functional" / "cli" / "conftest.py"
    spec = importlib.util.spec_from_file_location("fake_cloud", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _overlay(directory, keep_plugin):
    site = sysconfig.get_paths()["purelib"]
    (dist,) = importlib.metadata.distributions(name="osc-scope", path=[site])
    info = directory / f"osc_scope-{dist.version}.dist-info"
    info.mkdir(parents=True)
    info.joinpath("METADATA").write_text(dist.read_text("METADATA"))
    kept, skip = [], False
    for line in dist.read_text("entry_points.txt").splitlines():
        if line.startswith("["):
            skip = not keep_plugin and line.strip() == "[openstack.cli.extension]"
        if not skip:
            kept.append(line)
    info.joinpath("entry_points.txt").write_text("\n".join(kept) + "\n")
    return str(directory)


IN_PROCESS = r"""
import argparse, sys, time
import cliff.app, openstack.connection, osc_lib.shell, requests  # OSC's before plugins
t0 = time.perf_counter()
from osc_scope.cli import osc_plugin
t_import = time.perf_counter()
import openstackclient.shell
t1 = time.perf_counter()
osc_plugin.build_option_parser(argparse.ArgumentParser(prog="openstack"))
t2 = time.perf_counter()
import osc_scope.sdk  # loaded by the vendor hook when osc-lib builds its Connection
t_sdk = time.perf_counter()
from osc_scope.cli import sources, token_hook
scope = sources.from_option('{"glance": "CloudTwo|CloudThree", "nova": "CloudOne"}')
t3 = time.perf_counter()
binding = token_hook.ScopeBinding(scope, "CloudOne", None)
hook = token_hook.ScopeAuth(binding)
n = 2000
t4 = time.perf_counter()
for _ in range(n):
    request = requests.Request("GET", "http://127.0.0.1/image/v2/images",
                               headers={"X-Auth-Token": "gAAAAAtoken"}).prepare()
    hook(request)
t5 = time.perf_counter()
for _ in range(n):
    requests.Request("GET", "http://127.0.0.1/image/v2/images",
                     headers={"X-Auth-Token": "gAAAAAtoken"}).prepare()
t6 = time.perf_counter()
import json
print(json.dumps({
    "import of the plugin module (ms)": (t_import - t0) * 1000,
    "build_option_parser, no scope (ms)": (t2 - t1) * 1000,
    "import of the vendor hook module (ms)": (t_sdk - t2) * 1000,
    "first scope parsed, service types loaded (ms)": (t3 - t_sdk) * 1000,
    "hook per request (us)": ((t5 - t4) - (t6 - t5)) / n * 1e6,
}))
"""


def _run(command, env):
    """Wall time and CPU time (user + system of the child) in ms. CPU time is the figure
    to trust on a shared machine: it does not grow while other processes hold the CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"plugin_cost: {' '.join(command)} failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per variant (default 15)")
    args = parser.parse_args(argv)

    fake = _fake_cloud_module()
    server = fake.http.server.ThreadingHTTPServer(("127.0.0.1", 0), fake._Handler)
    server.requests, server.daemon_threads = [], True
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            runner = fake.Runner(server, tmp, tmp / "cache")
            clouds = runner.clouds_yaml()
            base_env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(tmp),
                "XDG_CACHE_HOME": str(tmp / "cache"),
                "OS_CLIENT_CONFIG_FILE": str(clouds),
                "OS_CLOUD": "test",
            }
            openstack = str(pathlib.Path(sys.executable).with_name("openstack"))
            command = [openstack, "image", "list", "-f", "value"]
            variants = {
                "plain": (command, {"PYTHONPATH": _overlay(tmp / "a", keep_plugin=False)}),
                "plugin": (command, {"PYTHONPATH": _overlay(tmp / "b", keep_plugin=True)}),
                "scoped": (
                    command + ["--os-scope", '{"image": "CloudTwo"}'],
                    {"PYTHONPATH": str(tmp / "b")},
                ),
            }
            times = {name: {"wall": [], "cpu": []} for name in variants}
            for round_ in range(args.runs + 1):  # round 0 warms caches, not counted
                for name, (cmd, extra) in variants.items():
                    wall, cpu = _run(cmd, {**base_env, **extra})
                    if round_:
                        times[name]["wall"].append(wall)
                        times[name]["cpu"].append(cpu)
            requests_sent = len(server.requests)
    finally:
        server.shutdown()
        server.server_close()

    median = {
        name: {kind: statistics.median(values) for kind, values in kinds.items()}
        for name, kinds in times.items()
    }
    for name, values in median.items():
        print(
            f"{name:7s} median CPU {values['cpu']:7.1f} ms   wall {values['wall']:7.1f} ms"
            f"   (min CPU {min(times[name]['cpu']):.1f} ms)"
        )
    for name, label in (("plugin", "no scope"), ("scoped", "with --os-scope")):
        cpu = median[name]["cpu"] - median["plain"]["cpu"]
        wall = median[name]["wall"] - median["plain"]["wall"]
        print(f"added by the plugin, {label}: CPU {cpu:+.1f} ms, wall {wall:+.1f} ms")
    print(f"in process (median of {IN_PROCESS_RUNS} fresh interpreters):")
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", IN_PROCESS],
                check=True,
                timeout=120,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(IN_PROCESS_RUNS)
    ]
    for key in samples[0]:
        print(f"  {key:48s} {statistics.median(s[key] for s in samples):7.2f}")
    print(
        f"goal: < {GOAL_MS} ms added; {args.runs} runs per variant, interleaved; "
        f"{requests_sent} loopback requests answered"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
