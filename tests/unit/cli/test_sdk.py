"""``osc_scope.connect`` and the vendor hook, on real openstacksdk (HTTP by requests-mock)."""

import json
import os

import pytest
import requests_mock

import osc_scope
from osc_scope import sdk
from osc_scope.cli import sources

BASE = "http://127.0.0.1:5000"


def _token_body(region="CloudOne"):
    def service(kind, url):
        endpoint = {"interface": "public", "region_id": region, "url": url, "id": kind}
        return {"type": kind, "id": kind, "endpoints": [endpoint]}

    return {
        "token": {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00Z",
            "project": {"id": "p", "name": "demo", "domain": {"id": "default"}},
            "user": {"id": "u", "name": "alice", "domain": {"id": "default"}},
            "catalog": [
                service("identity", BASE + "/v3"),
                service("image", "http://127.0.0.1:9292"),
            ],
        }
    }


@pytest.fixture
def cloud(tmp_path, monkeypatch):
    for name in [*sources.scope_variables(os.environ), "OS_CLOUD"]:
        monkeypatch.delenv(name, raising=False)

    def write(**extra):
        entry = {
            "auth": {
                "auth_url": BASE + "/v3",
                "username": "alice",
                "password": "secret",
                "project_name": "demo",
                "user_domain_id": "default",
                "project_domain_id": "default",
            },
            "region_name": "CloudOne",
        }
        entry.update(extra)
        path = tmp_path / "clouds.yaml"
        path.write_text(json.dumps({"clouds": {"c1": entry}}))
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))

    write()
    with requests_mock.Mocker() as mock:
        version = {
            "id": "v3.14",
            "status": "stable",
            "links": [{"rel": "self", "href": BASE + "/v3/"}],
            "media-types": [{"base": "application/json", "type": "application/json"}],
        }
        mock.get(BASE + "/v3", json={"version": version})
        mock.post(BASE + "/v3/auth/tokens", json=_token_body(), headers={"X-Subject-Token": "t"})
        links = [{"rel": "self", "href": "http://127.0.0.1:9292/v2/"}]
        image_versions = {"versions": [{"id": "v2.16", "status": "CURRENT", "links": links}]}
        mock.get("http://127.0.0.1:9292/", json=image_versions)
        mock.get("http://127.0.0.1:9292/v2/images", json={"images": []})
        yield mock, write


def _image_request(mock):
    return [r for r in mock.request_history if r.path == "/v2/images"][-1]


def test_connect_with_scope(cloud):
    mock, _ = cloud
    conn = osc_scope.connect(cloud="c1", scope='{"glance": "CloudTwo"}')
    assert list(conn.image.images()) == []
    token_request = [r for r in mock.request_history if r.path == "/v3/auth/tokens"][0]
    assert token_request.headers["X-Scope"] == '{"identity":"CloudOne","image":"CloudTwo"}'
    wire = '{"identity":"CloudOne","image":"CloudTwo"}'
    assert _image_request(mock).headers["X-Auth-Token"] == f"t!SCOPE!{wire}"


def test_identity_scope_looks_endpoints_up_in_the_identity_clouds_region(cloud):
    """The token (and catalog) come from CloudTwo's Keystone: its region holds the
    endpoints, and unnamed services stay bound to the local cloud on the wire."""
    mock, _ = cloud
    mock.post(
        BASE + "/v3/auth/tokens",
        json=_token_body(region="CloudTwo"),
        headers={"X-Subject-Token": "t"},
    )
    conn = osc_scope.connect(cloud="c1", scope='{"identity": "CloudTwo"}')
    assert list(conn.image.images()) == []
    wire = '{"identity":"CloudTwo","image":"CloudOne"}'
    assert _image_request(mock).headers["X-Auth-Token"] == f"t!SCOPE!{wire}"


def test_identity_failover_keeps_the_local_region():
    scope = sources.from_option('{"identity": "CloudTwo|CloudOne"}', source="scope")
    assert sdk.identity_region(scope, "CloudOne") is None
    scope = sources.from_option('{"identity": "CloudOne"}', source="scope")
    assert sdk.identity_region(scope, "CloudOne") is None


def test_connect_reads_clouds_yaml_json_text(cloud):
    mock, write = cloud
    write(scope='{"image": "CloudThree"}')  # a string the loader would .format() and crash on
    conn = osc_scope.connect(cloud="c1")
    list(conn.image.images())
    assert '"image":"CloudThree"' in _image_request(mock).headers["X-Scope"]


def test_connect_without_scope_sends_nothing(cloud):
    mock, _ = cloud
    conn = osc_scope.connect(cloud="c1")
    list(conn.image.images())
    for request in mock.request_history:
        assert "X-Scope" not in request.headers


def test_vendor_hook_from_clouds_yaml(cloud):
    import openstack

    mock, write = cloud
    write(scope={"image": "CloudTwo"}, vendor_hook=sdk.VENDOR_HOOK)
    conn = openstack.connect(cloud="c1")
    list(conn.image.images())
    assert '"image":"CloudTwo"' in _image_request(mock).headers["X-Scope"]


def test_cli_hook_runs_the_clouds_own_vendor_hook_first(cloud, monkeypatch):
    import sys
    import types

    import openstack

    mock, write = cloud
    calls = []
    module = types.ModuleType("fake_vendor_hooks")
    module.hook = calls.append
    monkeypatch.setitem(sys.modules, "fake_vendor_hooks", module)
    write(scope={"image": "CloudTwo"}, vendor_hook="fake_vendor_hooks:hook")
    # what the openstack plugin's option defaults do: its hook stands in the config
    conn = openstack.connect(cloud="c1", vendor_hook=sdk.CLI_VENDOR_HOOK)
    assert calls == [conn]
    list(conn.image.images())
    assert '"image":"CloudTwo"' in _image_request(mock).headers["X-Scope"]
