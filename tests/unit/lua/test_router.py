"""The Lua routing decision (pure modules) on the example table, seen from CloudOne."""

import pytest

FE = "CloudOne:127.0.0.1:80"
FE_NET = "CloudOne:127.0.0.1:9696"
TOKEN = "gAAAAABtoken-value_1234567890"
ALL_UP = None


def test_no_scope_goes_local(router):
    decision = router({"frontend": FE, "path": "/image/v2/images", "token": TOKEN})
    assert decision == {"backend": "CloudOne:image", "cloud": "CloudOne", "service": "image"}


@pytest.mark.parametrize(
    "frontend, path, service",
    [
        (FE, "/image", "image"),
        (FE, "/image/", "image"),
        (FE, "/image/v2/images/abc", "image"),
        (FE, "/compute/v2.1/servers", "compute"),
        (FE, "/compute/v2.1", "compute"),
        (FE, "/identity/v3/auth/tokens", "identity"),
        (FE_NET, "/", "network"),
        (FE_NET, "/v2.0/networks", "network"),
        (FE_NET, "/image/v2", "network"),
        (FE, "/images", None),
        (FE, "/compute/v2", None),
        (FE, "/compute", None),
        (FE, "/", None),
        (FE, "", None),
        (FE, "//image", None),
        ("CloudOne:nowhere:1", "/image", None),
    ],
)
def test_service_lookup(router, frontend, path, service):
    decision = router({"frontend": frontend, "path": path})
    if service is None:
        assert decision["status"] == 404
        assert "no service" in decision["message"]
    else:
        assert decision["service"] == service
        assert decision["backend"] == f"CloudOne:{service}"


def test_lookup_prefers_the_longest_prefix(lua):
    lookup = lua.require("osc_scope.lookup")
    index = lookup.build(
        lua.table_from(
            {
                "fe": lua.table_from(
                    {"/compute": "a", "/compute/v2.1": "b", "/compute/v2.1/x/": "c"}
                )
            }
        )
    )
    find = lua.eval("function(l, i, f, p) local s = l.find(i, f, p); return s or false end")
    assert find(lookup, index, "fe", "/compute/v2.1/servers") == "b"
    assert find(lookup, index, "fe", "/compute/v2.1/x/y") == "c"
    assert find(lookup, index, "fe", "/compute/v2/servers") == "a"
    assert find(lookup, index, "fe", "/compute/v2.10") == "a"
    assert find(lookup, index, "fe", "/other") is False


def test_remote_cloud_via_token_suffix(router):
    scope = '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo","network":"CloudOne","placement":"CloudOne"}'  # noqa: E501
    decision = router({"frontend": FE, "path": "/image/v2", "token": f"{TOKEN}!SCOPE!{scope}"})
    assert decision == {"backend": "CloudTwo:image", "cloud": "CloudTwo", "service": "image"}


def test_partial_scope_is_completed_on_the_first_hop(router):
    decision = router(
        {"frontend": FE, "path": "/image/v2", "token": f'{TOKEN}!SCOPE!{{"glance": "CloudTwo"}}'}
    )
    wire = '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo","network":"CloudOne","placement":"CloudOne"}'  # noqa: E501
    assert decision["backend"] == "CloudTwo:image"
    assert decision["headers"] == {"x-scope": wire, "x-auth-token": f"{TOKEN}!SCOPE!{wire}"}


def test_x_scope_used_without_token_suffix(router):
    decision = router(
        {"frontend": FE, "path": "/identity/v3/auth/tokens", "scope": '{"identity":"CloudTwo"}'}
    )
    assert decision["backend"] == "CloudTwo:identity"
    assert set(decision["headers"]) == {"x-scope"}


def test_token_suffix_wins_over_x_scope(router):
    decision = router(
        {
            "frontend": FE,
            "path": "/image",
            "token": f'{TOKEN}!SCOPE!{{"image":"CloudTwo"}}',
            "scope": '{"image":"CloudOne"}',
        }
    )
    assert decision["cloud"] == "CloudTwo"


def test_later_hops_do_not_complete(router):
    decision = router(
        {"frontend": FE, "path": "/image", "scope": '{"image":"CloudTwo"}', "hops": "1"}
    )
    assert decision["backend"] == "CloudTwo:image"
    assert "headers" not in decision


@pytest.mark.parametrize(
    "up, cloud",
    [(None, "CloudTwo"), ({"CloudOne:image"}, "CloudOne"), ({"CloudTwo:image"}, "CloudTwo")],
)
def test_failover_follows_health(router, up, cloud):
    decision = router(
        {"frontend": FE, "path": "/image", "scope": '{"image":"CloudTwo|CloudOne"}'}, up
    )
    assert decision["cloud"] == cloud
    assert decision["backend"] == f"{cloud}:image"


def test_failover_all_down_is_503(router):
    decision = router(
        {"frontend": FE, "path": "/image", "scope": '{"image":"CloudTwo|CloudOne"}'}, set()
    )
    assert decision["status"] == 503
    assert "CloudTwo|CloudOne" in decision["message"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("expr", ["CloudOne&CloudTwo", "(CloudOne|CloudTwo)&CloudOne"])
def test_fan_out_goes_to_the_fan_out_service(router, expr, method):
    scope = f'{{"image":"{expr}"}}'
    decision = router({"frontend": FE, "method": method, "path": "/image", "scope": scope})
    assert decision["backend"] == "osc-scope:fanout"
    assert decision["cloud"] == expr


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_fan_out_serves_no_other_method(router, method):
    scope = '{"image":"CloudOne&CloudTwo"}'
    decision = router({"frontend": FE, "method": method, "path": "/image", "scope": scope})
    assert decision["status"] == 501
    assert f"not {method} (image: CloudOne&CloudTwo)" in decision["message"]


def test_fan_out_behind_a_failover_option(router):
    request = {"frontend": FE, "path": "/image", "scope": '{"image":"CloudTwo|CloudOne&CloudTwo"}'}
    assert router(request)["cloud"] == "CloudTwo"
    decision = router(request, {"CloudOne:image", "osc-scope:fanout"})
    assert decision["backend"] == "osc-scope:fanout"
    assert '"image":"CloudOne&CloudTwo"' in decision["headers"]["x-scope"]
    decision = router(request, set())
    assert decision["status"] == 503
    assert decision["message"] == "no cloud of CloudTwo|(CloudOne&CloudTwo) is up for image"


def test_unknown_cloud_names_the_known_ones(router):
    decision = router({"frontend": FE, "path": "/image", "scope": '{"image":"CloudThree"}'})
    assert decision["status"] == 400
    assert "CloudThree" in decision["message"]
    assert "CloudOne, CloudTwo" in decision["message"]


def test_unknown_cloud_of_another_service_is_not_this_request_s_business(router):
    decision = router(
        {"frontend": FE, "path": "/image", "scope": '{"compute":"Nope","image":"CloudTwo"}'}
    )
    assert decision["cloud"] == "CloudTwo"


@pytest.mark.parametrize(
    "scope, needle",
    [
        ("{bad", "not valid JSON"),
        ('{"imagez":"CloudTwo"}', "imagez"),
        ('{"image":"A||B"}', "position 2"),
    ],
)
def test_malformed_scope_is_400_naming_the_fault(router, scope, needle):
    decision = router({"frontend": FE, "path": "/image", "scope": scope})
    assert decision["status"] == 400
    assert decision["message"].startswith("malformed scope")
    assert needle in decision["message"]


@pytest.mark.parametrize(
    "hops, status", [("0", None), ("2", None), ("3", 508), ("x", 400), ("-1", 400), ("", 400)]
)
def test_hop_guard(router, hops, status):
    decision = router({"frontend": FE, "path": "/image", "hops": hops})
    assert decision.get("status") == status


def test_error_messages_never_carry_the_token(router):
    decision = router({"frontend": FE, "path": "/image", "token": f"{TOKEN}!SCOPE!{{bad"})
    assert decision["status"] == 400
    assert TOKEN not in decision["message"]


def test_a_later_hop_prefers_this_cloud_but_not_a_fan_out_s_sub_request(router):
    request = {"frontend": FE, "path": "/image", "scope": '{"image":"CloudTwo|CloudOne"}',
               "hops": "1"}  # fmt: skip
    assert router(request)["cloud"] == "CloudOne"  # another router chose this cloud
    assert router({**request, "internal": True})["cloud"] == "CloudTwo"  # a branch, in order
