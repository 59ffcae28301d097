"""A Lua runtime error never reaches the client: 500 JSON, and a log line without tokens."""

import pytest

pytestmark = pytest.mark.haproxy

TOKEN = "gAAAAABsecret-token-0123456789"


def test_lua_runtime_error_is_a_500_json(make_clouds):
    clouds = make_clouds(fast_path=False)
    directory = clouds.render("CloudOne")
    routing = directory / "routing.lua"
    # break the table the way a bug would: the local service types are gone
    routing.write_text(routing.read_text().replace('["local_types"]', '["local_types_gone"]'))
    router = clouds.start("CloudOne", directory)
    status, body = clouds.request(
        "CloudOne", "/image/v2", {"X-Auth-Token": f'{TOKEN}!SCOPE!{{"image":"CloudOne"}}'}
    )
    assert status == 500
    assert body["error"] == {
        "code": 500,
        "title": "Internal Server Error",
        "message": "internal error in the scope router",
    }
    # no scope, no alias table needed: the router still works
    status, body = clouds.request("CloudOne", "/image/v2", {"X-Auth-Token": TOKEN})
    assert (status, body["cloud"]) == (200, "CloudOne")
    router.stop()
    log = router.log()
    assert "interpret_scope failed" in log
    assert TOKEN not in log and "SCOPE!" not in log
