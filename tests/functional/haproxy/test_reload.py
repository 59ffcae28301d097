"""Reloads under keep-alive load lose nothing: a router run master-worker (``haproxy -W``,
as the lab and the playbook run it) reloaded 50 times with SIGUSR2 while clients keep
sending on kept-alive connections.

Without ``option idle-close-on-response`` the old worker closes idle kept-alive connections
as it stops, and a client that sends at that moment sees "remote end closed" (seen here: 3
of ~1,800 requests over 50 reloads); with it, the old worker answers one more request with
``Connection: close``. A stopping worker also counts no server in any backend, so failover
decisions and the backends' 503 guard must not read ``nbsrv`` then (failover.py).
"""

import os
import signal

import pytest

from osc_scope.lab import load

pytestmark = [pytest.mark.haproxy, pytest.mark.slow]

RELOADS = 50
WIRE = (
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo|CloudOne",'
    '"network":"CloudOne","placement":"CloudOne"}'
)


def reloads_done(router):
    """Reloads the master has finished: after its re-exec it prints its version last (a
    SIGUSR2 sent before that may be lost)."""
    return router.log().count("path to executable is")


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Auth-Token": f"gAAAAABreload-token!SCOPE!{WIRE}"}],
    ids=["local", "failover"],
)
def test_fifty_reloads_under_keep_alive_load_fail_nothing(make_clouds, headers):
    clouds = make_clouds()
    clouds.start("CloudTwo")
    router = clouds.start("CloudOne", master_worker=True)
    clouds.wait_ready()
    url = clouds.url("CloudOne", "/image/v2/images")
    with load.SteadyLoad(url, headers, clients=4, methods=("GET", "PUT", "HEAD", "DELETE")) as run:
        for done in range(RELOADS):
            sent = run.count()
            os.kill(router.process.pid, signal.SIGUSR2)
            # the new worker is up, and requests flowed since the signal
            clouds.wait_for(
                lambda d=done, s=sent: reloads_done(router) > d and run.count() > s + 8
            )
    failed = [sample for sample in run.samples if sample.failed]
    assert failed == [], failed[:5]
    expected = {"CloudTwo"} if headers else {"CloudOne"}
    assert {s.served_by for s in run.samples if s.method != "HEAD"} == expected
