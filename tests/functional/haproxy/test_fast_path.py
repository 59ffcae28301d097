"""The native fast path and the Lua router give the same answer, on real haproxy.

Two sets of clouds run the same table; in the second the fast path is rendered out, so
every request goes through Lua. Every shared scope vector (plus canonical scopes the fast
path takes) is sent to both, as a token suffix and as X-Scope, first hop and later hop.
"""

import json
import pathlib

import pytest

pytestmark = pytest.mark.haproxy

VECTORS = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "vectors" / "scope.json").read_text()
)
EXTRA = [
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo","network":"CloudOne",'
    '"placement":"CloudOne"}',
    '{"compute":"CloudTwo","identity":"CloudTwo","image":"CloudTwo","network":"CloudTwo",'
    '"placement":"CloudTwo"}',
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudNine","network":"CloudOne",'
    '"placement":"CloudOne"}',
    '{"image":"CloudTwo","compute":"CloudOne","identity":"CloudOne","network":"CloudOne",'
    '"placement":"CloudOne"}',
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo","image":"CloudOne",'
    '"network":"CloudOne","placement":"CloudOne"}',
    '{"image":"CloudTwo"}',
    "{}",
]
FAILOVERS = [
    "CloudTwo|CloudOne",
    "CloudOne|CloudTwo",
    "CloudTwo|CloudTwo|CloudOne",
    "CloudTwo|CloudNine",
    "CloudNine|CloudTwo",
    "A|B|C|D",
    "CloudTwo|CloudOne&CloudTwo",
]
EXTRA += [EXTRA[0].replace('"image":"CloudTwo"', f'"image":"{f}"') for f in FAILOVERS]
KEPT_HEADERS = ("x-auth-token", "x-scope", "x-scope-hops", "x-subject-token")


def answer(clouds, path, headers):
    status, body = clouds.request("CloudOne", path, headers)
    if status == 200:
        kept = {k: v for k, v in body["headers"].items() if k in KEPT_HEADERS}
        return status, body["cloud"], body["service"], body["path"], kept
    return status, body


def _fast_and_lua_only(make_clouds):
    """Two identical two-cloud setups, one with the native fast path, one Lua only."""
    fast = make_clouds()
    lua_only = make_clouds(fast_path=False)
    for clouds in (fast, lua_only):
        clouds.start("CloudTwo")
        clouds.start("CloudOne")
    return fast, lua_only


def test_fast_path_and_lua_agree(make_clouds):
    fast, lua_only = _fast_and_lua_only(make_clouds)
    for clouds in (fast, lua_only):
        clouds.wait_ready()
    scopes = [v["input"] for v in VECTORS["vectors"]] + EXTRA
    compared = 0
    for scope in scopes:
        for path in ("/image/v2/images", "/identity/v3/auth/tokens"):
            for hops in (None, "1"):
                for headers in ({"X-Auth-Token": f"tok!SCOPE!{scope}"}, {"X-Scope": scope}):
                    if hops:
                        headers = {**headers, "X-Scope-Hops": hops}
                    assert answer(fast, path, headers) == answer(lua_only, path, headers), (
                        scope,
                        path,
                        headers,
                    )
                    compared += 1
    assert compared == len(scopes) * 8
    for clouds in (fast, lua_only):
        clouds.routers["CloudOne"].stop()  # every log line written
    fast_log = fast.routers["CloudOne"].log()
    assert "via=native" in fast_log and "via=lua" in fast_log
    assert "via=native" not in lua_only.routers["CloudOne"].log()


def test_failover_agrees_when_a_cloud_is_down(make_clouds):
    fast, lua_only = _fast_and_lua_only(make_clouds)
    for clouds in (fast, lua_only):
        clouds.wait_ready()
        clouds.echo["CloudTwo", "image"].stop()
    for clouds in (fast, lua_only):
        clouds.wait_for(lambda c=clouds: not c.backends_up("CloudOne"))
    for failover in FAILOVERS + ["CloudTwo"]:
        scope = EXTRA[0].replace('"image":"CloudTwo"', f'"image":"{failover}"')
        for headers in ({"X-Auth-Token": f"tok!SCOPE!{scope}"}, {"X-Scope": scope}):
            expected = answer(lua_only, "/image/v2", headers)
            assert answer(fast, "/image/v2", headers) == expected, (failover, expected)
