"""The shared routing decisions (tests/vectors/decision.json) through real HAProxy routers.

The vectors' table runs on loopback twice: with the native fast path, and Lua only. For
each set of backends a case wants down, their echo servers are stopped and the test waits
until every router's health checks say exactly that (the next router must decide with the
same knowledge: while CloudTwo still takes CloudOne's image for up, a failover
"CloudOne|CloudTwo" bounces between the two until the hop guard answers 508); then every
case is sent to CloudOne's router, and the answer (status, the backend that served it, the
message, the scope headers that reached the backend) is checked against the case.
"""

import importlib.util
import pathlib

import pytest

pytestmark = pytest.mark.haproxy

HELPER = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "decision_cases.py"
_spec = importlib.util.spec_from_file_location("decision_cases", HELPER)
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
# grouped by what is down, so each set of routers serves every case that needs it
CASES = sorted(cases.CASES, key=lambda case: (sorted(case["down"]), case["name"]))
SCOPE_HEADERS = ("x-scope", "x-auth-token")
FANOUT = "osc-scope:fanout"


@pytest.fixture(scope="module")
def routers(make_module_clouds):
    """get(down, fast_path) -> two clouds of the vectors' table with ``down`` settled; one
    set per kind at a time (the previous one is stopped)."""
    running = {}

    def get(down, fast_path):
        key = (tuple(sorted(down)), fast_path)
        previous = running.get(fast_path)
        if previous and previous[0] == key:
            return previous[1]
        if previous:
            previous[1].close()
        clouds = make_module_clouds(table=cases.TABLE, fast_path=fast_path)
        clouds.start("CloudTwo")
        clouds.start(cases.CLOUD)
        for backend in down:
            if backend == FANOUT:
                clouds.fanout[cases.CLOUD].stop()
            else:
                clouds.echo[tuple(backend.split(":"))].stop()
        clouds.wait_for(lambda: all(_settled(clouds, cloud, down) for cloud in clouds.routers))
        running[fast_path] = (key, clouds)
        return clouds

    return get


def _settled(clouds, cloud, down):
    """Whether the cloud's router sees exactly ``down`` (those of its backends) down."""
    servers = clouds.active_servers(cloud)
    if cloud == cases.CLOUD and clouds.fanout_up(cloud) == (FANOUT in down):
        return False
    return {name for name, up in servers.items() if not up} == set(down) & set(servers)


def _seen_headers(case, backend):
    """The scope headers the backend must see: the request's, replaced by the router's
    completed ones; an identity backend gets tokens without their scope suffix."""
    sent = cases.headers_of(case)
    replaced = {k.lower(): v for k, v in case["expect"].get("headers", {}).items()}
    seen = {name: value for name, value in {**sent, **replaced}.items() if name in SCOPE_HEADERS}
    if backend.endswith(":identity") and "x-auth-token" in seen:
        seen["x-auth-token"] = seen["x-auth-token"].partition("!SCOPE!")[0]
    return seen


@pytest.mark.parametrize("fast_path", [True, False], ids=["native", "lua"])
@pytest.mark.parametrize("case", CASES, ids=cases.case_id)
def test_router_gives_the_shared_decision(routers, case, fast_path):
    clouds = routers(case["down"], fast_path)
    method = case.get("method", "GET")
    status, body = clouds.fetch(clouds.live_url(case["url"]), case["headers"], method)
    if status == 200 and method == "HEAD":
        cases.check(case, {"status": 200, "backend": body["echo"]}, compare_headers=False)
    elif status == 200:
        backend = f"{body['cloud']}:{body['service']}"
        cases.check(case, {"status": 200, "backend": backend}, compare_headers=False)
        seen = {k: v for k, v in body["headers"].items() if k in SCOPE_HEADERS}
        assert seen == _seen_headers(case, backend)
    else:
        assert body["error"]["code"] == status, body
        cases.check(case, {"status": status, "message": body["error"]["message"]})
