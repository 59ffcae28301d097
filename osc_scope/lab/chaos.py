"""Faults injected into a running lab under steady load, and what the load saw.

Each scenario runs ``osc_scope.lab.load`` against CloudOne's router with a real token and a
scope, injects its fault (SIGKILL to a process group of the lab, a Keystone stopped,
reloads, the WAN link between two clouds cut), waits until the load is served as the scope
says it should be, undoes the fault (``osc-scope lab up`` starts what is missing; a cut
link is healed) and waits until the first choice serves again. It returns one row per load:
requests, failed, the longest window of failures, time to fail over and to recover.
``bench/chaos.py`` prints the rows as a table; the lab's end-to-end tests assert them.

Which cloud answered: CloudTwo's image list holds ``cirros``, CloudOne's does not.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time

from osc_scope.lab import control, layout, load, processes
from osc_scope.routing import timing

__all__ = [
    "Lab",
    "keystone_scenario",
    "kill_scenario",
    "partition_scenario",
    "reload_scenario",
    "wire",
]

BIN = os.path.dirname(sys.executable)
URL = "http://127.0.0.1/image/v2/images"
SERVICES = ("compute", "identity", "image", "network", "placement")
STEADY = 2.0  # seconds of load before a fault, and of steady answers after each change
WAIT = 60  # seconds a scenario may take to settle before it is reported as not settled


def wire(**bindings):
    scope = {service: "CloudOne" for service in SERVICES}
    scope.update(bindings)
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


def served_by(status, text):
    if status != 200:
        return ""
    return "CloudTwo" if '"name": "cirros"' in text or '"name":"cirros"' in text else "CloudOne"


class Lab:
    def __init__(self, workdir):
        self.workdir = workdir
        self.table = processes.ProcessTable(
            os.path.join(workdir, "run"), os.path.join(workdir, "log")
        )

    def lab(self, action):
        argv = [os.path.join(BIN, "osc-scope"), "lab", action, "--workdir", self.workdir]
        subprocess.run(argv, check=True, capture_output=True, text=True, timeout=900)

    def kill(self, name):
        assert self.table.stop(name, signum=signal.SIGKILL), f"{name} was not running"

    def token(self, cloud):
        from openstack import config, connection  # only when a scenario needs a token

        clouds_yaml = os.path.join(self.workdir, "clouds.yaml")
        region = config.OpenStackConfig(config_files=[clouds_yaml]).get_one(cloud=cloud)
        return connection.Connection(config=region).auth_token

    def reload(self, name):
        os.kill(self.table.pid(name), signal.SIGUSR2)

    def cut(self, one, two):
        control.cut(self.workdir, one, two, progress=lambda line: None)

    def heal(self, one, two):
        control.heal(self.workdir, one, two, progress=lambda line: None)

    def wan(self, on):
        """Turn the lab's WAN on or off (``lab up --wan`` / ``--no-wan``)."""
        argv = [os.path.join(BIN, "osc-scope"), "lab", "up", "--workdir", self.workdir,
                "--wan" if on else "--no-wan"]  # fmt: skip
        subprocess.run(argv, check=True, capture_output=True, text=True, timeout=900)

    @property
    def has_wan(self):
        return layout.Lab.load(self.workdir).wan


def wait(predicate, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def first_after(samples, since, cloud):
    """Seconds from ``since`` to the end of the first answer after it served by ``cloud``."""
    ends = [s.end for s in samples if s.start >= since and s.served_by == cloud]
    return min(ends) - since if ends else None


def steady(run, cloud, since):
    """True once ``cloud`` served STEADY seconds of answers in a row after ``since``."""
    recent = [s for s in run.samples if s.start >= since]
    served = [s for s in recent if s.served_by == cloud and not s.failed]
    if not served:
        return False
    last_other = max((s.end for s in recent if s.served_by != cloud), default=since)
    return served[-1].end - max(last_other, served[0].start) >= STEADY


def headers(token, scope):
    return {"X-Auth-Token": f"{token}!SCOPE!{scope}", "X-Scope": scope}


def kill_scenario(lab, token, name, scope, first, then, victim):
    """Kill ``victim`` under load with ``scope``; ``then`` serves; lab up; ``first`` again."""
    with load.SteadyLoad(URL, headers(token, scope), served_by=served_by) as run:
        time.sleep(STEADY)
        fault = time.monotonic()
        lab.kill(victim)
        settled = wait(lambda: steady(run, then, fault))
        lab.lab("up")
        healed = time.monotonic()
        recovered = wait(lambda: steady(run, first, healed))
    return row(name, run.samples, first_after(run.samples, fault, then),
               first_after(run.samples, healed, first), settled and recovered)  # fmt: skip


def keystone_scenario(lab):
    """CloudTwo's Keystone stopped while CloudTwo tokens are used in CloudOne: the cached
    one keeps working, one CloudOne's Glance never saw gets a 503 naming CloudTwo."""
    scope = wire(identity="CloudTwo")
    cached, fresh = lab.token("CloudTwo"), lab.token("CloudTwo")
    with load.SteadyLoad(URL, headers(cached, scope), served_by=served_by) as run:
        time.sleep(STEADY)
        fault = time.monotonic()
        lab.kill("CloudTwo-keystone")
        time.sleep(STEADY)
        with load.SteadyLoad(URL, headers(fresh, scope), clients=1, served_by=served_by) as new:
            wait(lambda: new.count() >= 1)
        answer = new.samples[0]
        time.sleep(STEADY)
        lab.lab("up")
        healed = time.monotonic()
        recovered = wait(lambda: steady(run, "CloudOne", healed))
    took = answer.end - answer.start
    note = f"a token CloudOne never saw: {answer.status} in {took:.2f} s, {answer.body[:100]!r}"
    result = row("CloudTwo Keystone down, its cached tokens in CloudOne",
                 [s for s in run.samples if s.start >= fault], None, None, recovered,
                 note)  # fmt: skip
    result["new_token"] = answer
    return result


def reload_scenario(lab, token, count=50):
    scope = wire(image="CloudTwo")
    with load.SteadyLoad(URL, headers(token, scope), served_by=served_by) as run:
        time.sleep(STEADY)
        for _ in range(count):
            for cloud in ("CloudOne", "CloudTwo"):
                lab.reload(f"{cloud}-haproxy")
            sent = run.count()
            wait(lambda s=sent: run.count() > s + 8)
            time.sleep(0.2)  # the master re-executes itself: a signal sent then is lost
        time.sleep(STEADY)
    return row(f"{count} reloads of both routers, scope CloudTwo", run.samples, None, None, True)


def partition_bound(haproxy_cfg):
    """Seconds a request to a cloud cut off may wait for its 503, from the router's config
    (its text): one connect timeout, then the checks that mark the cloud down (fall + rise,
    each an interval plus the check timeout) end whatever still waits."""

    def seconds(text):
        return timing.milliseconds(text) / 1000

    inter, fall, rise = re.search(
        r"default-server .*inter (\S+) fall (\d+) rise (\d+)", haproxy_cfg
    ).groups()
    check = seconds(inter) + seconds(re.search(r"timeout check (\S+)", haproxy_cfg).group(1))
    return (
        seconds(re.search(r"timeout connect (\S+)", haproxy_cfg).group(1))
        + (int(fall) + int(rise)) * check
    )


def partition_scenario(lab, token):
    """The WAN link between CloudOne and CloudTwo cut under load, then healed (a lab with a
    WAN: ``lab up --wan``): three loads through CloudOne's router at once, one row each.

    Requests that stay in CloudOne fail none; those scoped to CloudTwo get a 503 naming
    CloudTwo within ``partition_bound``; ``CloudTwo|CloudOne`` is served by CloudOne, then
    by CloudTwo again once the link is healed, nothing restarted."""
    with open(os.path.join(lab.workdir, "routing", "CloudOne", "current", "haproxy.cfg")) as f:
        bound = partition_bound(f.read())
    scopes = {"local": wire(), "remote": wire(image="CloudTwo"),
              "failover": wire(image="CloudTwo|CloudOne")}  # fmt: skip
    loads = {
        key: load.SteadyLoad(
            URL, headers(token, scope), clients=2, served_by=served_by, timeout=bound + WAIT
        )  # fmt: skip
        for key, scope in scopes.items()
    }
    local, remote, failover = loads["local"], loads["remote"], loads["failover"]
    with contextlib.ExitStack() as stack:
        for run in loads.values():
            stack.enter_context(run)
        time.sleep(STEADY)
        fault = time.monotonic()
        lab.cut("CloudOne", "CloudTwo")
        refused = lambda: remote.count(lambda s: s.start >= fault and s.failed) >= 4  # noqa: E731
        settled = wait(lambda: steady(failover, "CloudOne", fault) and refused())
        lab.heal("CloudOne", "CloudTwo")
        healed = time.monotonic()
        recovered = wait(
            lambda: steady(failover, "CloudTwo", healed) and steady(remote, "CloudTwo", healed)
        )
        time.sleep(STEADY)
    done = settled and recovered
    failed = [s for s in remote.samples if s.failed]
    named = [s for s in failed if s.status == 503 and "CloudTwo" in s.body]
    longest = max((s.end - s.start for s in failed), default=0.0)
    remote_row = row(
        "partition: scope CloudTwo",
        remote.samples,
        first_refusal(remote.samples, fault),
        first_after(remote.samples, healed, "CloudTwo"),
        done,
        f"{len(named)} of {len(failed)} failed requests are a 503 naming CloudTwo, "
        f"the longest took {longest:.2f} s (bound from the config: {bound:.0f} s)",
    )
    remote_row.update(bound=bound, longest_refusal=longest, named=len(named))
    return [
        row("partition: requests that stay in CloudOne", local.samples, None, None, done),
        remote_row,
        row("partition: CloudTwo|CloudOne", failover.samples,
            first_after(failover.samples, fault, "CloudOne"),
            first_after(failover.samples, healed, "CloudTwo"), done),
    ]  # fmt: skip


def first_refusal(samples, since):
    """Seconds from ``since`` to the end of the first failed answer after it."""
    ends = [s.end for s in samples if s.start >= since and s.failed]
    return min(ends) - since if ends else None


def row(name, samples, fail_over, recover, settled, note=""):
    result = load.summary(samples)
    result.update(name=name, fail_over=fail_over, recover=recover, settled=settled, note=note)
    return result
