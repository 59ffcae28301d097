"""The real ``openstack`` binary with the plugin, against a loopback Keystone + Glance.

Each call is about a second of imports, so each test makes one or two calls.
"""

import json

import pytest

TOKEN = "gAAAAABfakeToken0123456789"
COMPLETE = (
    '{"block-storage":"CloudOne","compute":"CloudOne","identity":"CloudOne","image":"CloudTwo"}'
)


def _headers(request):
    return dict(request["headers"])


def _token_request(server):
    (request,) = [r for r in server.requests if r["path"].endswith("/v3/auth/tokens")]
    return request


def _token_carrying(server):
    return [r for r in server.requests if "X-Auth-Token" in _headers(r)]


def _assert_scoped(server, token_scope, service_scope):
    """Token request: ``X-Scope`` only, body untouched; token-carrying requests: scoped token
    and ``X-Scope``; every other request (the version discovery GETs, all to the cloud)
    carries ``X-Scope`` alone: before the token the token request's value, after it the
    service scope."""
    token_request = _token_request(server)
    headers = _headers(token_request)
    assert headers["X-Scope"] == token_scope
    assert "X-Auth-Token" not in headers
    assert json.loads(token_request["body"])["auth"]["identity"]["password"]["user"] == {
        "name": "alice",
        "domain": {"name": "Default"},
        "password": "secret",
    }
    carrying = _token_carrying(server)
    assert any(r["path"].startswith("/image/v2/images") for r in carrying)
    for request in carrying:
        headers = _headers(request)
        assert headers["X-Auth-Token"] == f"{TOKEN}!SCOPE!{service_scope}"
        assert headers["X-Scope"] == service_scope
    position = server.requests.index(token_request)
    discovery = [
        (index, request)
        for index, request in enumerate(server.requests)
        if request is not token_request and request not in carrying
    ]
    assert any(request["path"].rstrip("/") == "/image" for _, request in discovery)
    for index, request in discovery:
        assert request["method"] == "GET", request["path"]
        expected = token_scope if index < position else service_scope
        assert _headers(request)["X-Scope"] == expected, request["path"]


def _comparable(server):
    return [(r["method"], r["path"], sorted(r["headers"]), r["body"]) for r in server.requests]


def test_no_scope_sends_what_plain_openstack_sends(openstack, fake_cloud, without_plugin):
    plain = openstack("image", "list", env=without_plugin)
    assert plain.returncode == 0, plain.stderr
    plain_requests = _comparable(fake_cloud)
    with_plugin = openstack("image", "list")
    assert with_plugin.returncode == 0, with_plugin.stderr
    assert _comparable(fake_cloud) == plain_requests
    assert any(r[1] == "/image/v2/images" for r in plain_requests)
    assert all("X-Scope" not in dict(r["headers"]) for r in fake_cloud.requests)


@pytest.mark.parametrize(
    "args",
    [
        ["--os-scope", '{"glance": "CloudTwo"}', "image", "list"],
        ["image", "list", "--os-scope", '{"image": " CloudTwo "}'],
    ],
    ids=["before-command", "after-command"],
)
def test_option(openstack, fake_cloud, args):
    result = openstack(*args)
    assert result.returncode == 0, result.stderr
    _assert_scoped(fake_cloud, '{"identity":"CloudOne","image":"CloudTwo"}', COMPLETE)


def test_a_router_refusal_is_one_line_naming_the_cloud_and_exit_1(openstack):
    result = openstack("--os-scope", '{"image": "CloudNine"}', "image", "list")
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "unknown cloud 'CloudNine' in the scope of image" in lines[0]
    assert "400 Bad Request" in lines[0]


def test_failover_scope_reaches_the_discovery(openstack, fake_cloud):
    """With CloudOne's Glance down, the router can fail the discovery over only if the
    discovery GET carries the scope."""
    result = openstack("--os-scope", '{"image": "CloudOne | CloudTwo"}', "image", "list")
    assert result.returncode == 0, result.stderr
    complete = COMPLETE.replace('"image":"CloudTwo"', '"image":"CloudOne|CloudTwo"')
    _assert_scoped(fake_cloud, '{"identity":"CloudOne","image":"CloudOne|CloudTwo"}', complete)
    (image_discovery,) = [r for r in fake_cloud.requests if r["path"].rstrip("/") == "/image"]
    assert _headers(image_discovery)["X-Scope"] == complete


def test_identity_scope_reaches_the_keystone_discovery(openstack, fake_cloud):
    result = openstack("--os-scope", '{"identity": "CloudTwo"}', "token", "issue", "-f", "json")
    assert result.returncode == 0, result.stderr
    token_request = _token_request(fake_cloud)
    first = fake_cloud.requests[0]
    assert first is not token_request
    assert (first["method"], first["path"].rstrip("/")) == ("GET", "/identity/v3")
    assert _headers(first)["X-Scope"] == _headers(token_request)["X-Scope"]
    assert _headers(first)["X-Scope"] == '{"identity":"CloudTwo"}'


def test_os_scope_environment(openstack, fake_cloud):
    result = openstack("image", "list", env={"OS_SCOPE": '{"image": "CloudTwo"}'})
    assert result.returncode == 0, result.stderr
    _assert_scoped(fake_cloud, '{"identity":"CloudOne","image":"CloudTwo"}', COMPLETE)


def test_os_scope_service_environment(openstack, fake_cloud):
    result = openstack("image", "list", env={"OS_SCOPE_IMAGE": "CloudTwo"})
    assert result.returncode == 0, result.stderr
    _assert_scoped(fake_cloud, '{"identity":"CloudOne","image":"CloudTwo"}', COMPLETE)


@pytest.mark.parametrize(
    "value", [{"glance": "CloudTwo"}, '{"image": "CloudTwo"}'], ids=["mapping", "json-text"]
)
def test_clouds_yaml_scope(openstack, fake_cloud, value):
    result = openstack("image", "list", clouds=openstack.clouds_yaml(scope=value))
    assert result.returncode == 0, result.stderr
    _assert_scoped(fake_cloud, '{"identity":"CloudOne","image":"CloudTwo"}', COMPLETE)


def test_sources_layer_per_service_strongest_first(openstack, fake_cloud):
    result = openstack(
        "--os-scope",
        '{"image": "CloudTwo"}',
        "image",
        "list",
        env={"OS_SCOPE": '{"compute": "C1", "image": "X"}', "OS_SCOPE_NETWORK": "N1|N2"},
        clouds=openstack.clouds_yaml(scope={"network": "Y", "placement": "P", "image": "Z"}),
    )
    assert result.returncode == 0, result.stderr
    named = '"compute":"C1","identity":"CloudOne","image":"CloudTwo","network":"N1|N2"'
    _assert_scoped(
        fake_cloud,
        "{" + named + ',"placement":"P"}',
        '{"block-storage":"CloudOne",' + named + ',"placement":"P"}',
    )


def test_subject_token_is_untouched(openstack, fake_cloud):
    result = openstack(
        "--os-scope",
        '{"image": "CloudTwo"}',
        "token",
        "revoke",
        "some-token",
    )
    assert result.returncode == 0, result.stderr
    (revoke,) = [r for r in fake_cloud.requests if r["method"] == "DELETE"]
    headers = _headers(revoke)
    assert headers["X-Subject-Token"] == "some-token"  # never touched
    assert headers["X-Auth-Token"].startswith(TOKEN + "!SCOPE!")


def test_local_cloud_from_the_catalog_without_a_region_name(openstack, fake_cloud):
    clouds = openstack.clouds_yaml(region_name=None)
    result = openstack("--os-scope", '{"image": "CloudTwo"}', "image", "list", clouds=clouds)
    assert result.returncode == 0, result.stderr
    # no local cloud before the catalog: the token request carries the named services only
    _assert_scoped(fake_cloud, '{"image":"CloudTwo"}', COMPLETE)


@pytest.mark.parametrize(
    ("args", "env", "clouds_scope", "needle"),
    [
        (["--os-scope", "{bad"], {}, None, "--os-scope: not valid JSON"),
        (["--os-scope", '{"image": "A||B"}'], {}, None, "position 2"),
        ([], {"OS_SCOPE": '{"imagez": "A"}'}, None, "OS_SCOPE: unknown service type 'imagez'"),
        ([], {"OS_SCOPE_IMAGE": "Cloud One"}, None, "OS_SCOPE_IMAGE: "),
        ([], {}, '{"image": 3}', "clouds.yaml scope of cloud 'test'"),
    ],
    ids=["json", "expression", "env", "env-service", "clouds-yaml"],
)
def test_bad_scope_one_line_and_no_request(openstack, fake_cloud, args, env, clouds_scope, needle):
    clouds = openstack.clouds_yaml(scope=clouds_scope) if clouds_scope else None
    result = openstack(*args, "image", "list", env=env, clouds=clouds)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_cloud.requests == []


def test_os_scope_leaves_oidc_options_alone(openstack, fake_cloud, other_host):
    base = fake_cloud.base
    clouds = openstack.clouds_yaml(
        auth_type="v3oidcpassword",
        auth={
            "auth_url": f"{base}/identity/v3",
            "identity_provider": "idp",
            "protocol": "openid",
            "client_id": "cid",
            "client_secret": "cs",
            "access_token_endpoint": f"{other_host.base}/idp/token",  # not the cloud
            "username": "alice",
            "password": "pw",
            "project_name": "demo",
            "project_domain_name": "Default",
        },
    )
    result = openstack(
        "--os-openid-scope",
        "openid email",
        "--os-scope",
        '{"image": "CloudTwo"}',
        "image",
        "list",
        clouds=clouds,
    )
    assert result.returncode == 0, result.stderr
    (idp,) = [r for r in fake_cloud.requests if r["path"] == "/idp/token"]
    assert b"scope=openid+email" in idp["body"]
    assert "X-Scope" not in _headers(idp)  # another host: untouched
    for request in fake_cloud.requests:
        if request is not idp:
            assert "X-Scope" in _headers(request), request["path"]
    images = [r for r in fake_cloud.requests if r["path"].startswith("/image/v2/images")]
    assert _headers(images[0])["X-Scope"] == COMPLETE


def test_help_lists_the_option(openstack):
    result = openstack("--help")
    assert result.returncode == 0
    assert "--os-scope <scope>" in result.stdout
    assert "(Env: OS_SCOPE)" in result.stdout
