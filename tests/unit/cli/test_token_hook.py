"""The per-session hook on a real keystoneauth session (HTTP answered by requests-mock)."""

import keystoneauth1.session
import pytest
import requests
import requests_mock
from keystoneauth1.identity import generic, v3

from osc_scope.cli import token_hook
from osc_scope.scope import ScopeError, parse

AUTH_URL = "http://127.0.0.1:5000/v3"
TOKEN = "tok123"


COMPLETED = '{"block-storage":"CloudOne","identity":"CloudOne","image":"CloudTwo"}'
BEFORE_TOKEN = '{"identity":"CloudOne","image":"CloudTwo"}'


def _catalog(*extra):
    def service(kind, url):
        endpoint = {"interface": "public", "region_id": "CloudOne", "url": url, "id": kind}
        return {"type": kind, "id": kind, "endpoints": [endpoint]}

    return [
        service("identity", "http://127.0.0.1:5000/v3"),
        service("image", "http://127.0.0.1:9292"),
        service("volumev3", "http://127.0.0.1:8776/v3"),
        *extra,
    ]


def _token_body(catalog):
    return {
        "token": {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00Z",
            "project": {"id": "p", "name": "demo", "domain": {"id": "default"}},
            "user": {"id": "u", "name": "alice", "domain": {"id": "default"}},
            "catalog": catalog,
        }
    }


def _reply_token(mock, catalog):
    mock.post(
        AUTH_URL + "/auth/tokens", json=_token_body(catalog), headers={"X-Subject-Token": TOKEN}
    )


@pytest.fixture
def mocked():
    with requests_mock.Mocker() as mock:
        _reply_token(mock, _catalog())
        mock.get("http://127.0.0.1:9292/v2/images", json={"images": []})
        mock.get("http://other.example/x", text="ok")
        yield mock


def _session():
    auth = v3.Password(
        auth_url=AUTH_URL,
        username="alice",
        password="secret",
        project_name="demo",
        user_domain_id="default",
        project_domain_id="default",
    )
    return keystoneauth1.session.Session(auth=auth)


def test_token_request_and_service_request(mocked):
    session = _session()
    token_hook.install(session, parse('{"glance": "CloudTwo"}'), "CloudOne")
    session.get("/v2/images", endpoint_filter={"service_type": "image"})
    token_request, images = mocked.request_history
    assert token_request.headers["X-Scope"] == '{"identity":"CloudOne","image":"CloudTwo"}'
    assert "X-Auth-Token" not in token_request.headers
    assert "secret" in token_request.text  # body untouched
    assert images.headers["X-Auth-Token"] == f"{TOKEN}!SCOPE!{COMPLETED}"
    assert images.headers["X-Scope"] == COMPLETED


def test_local_cloud_from_a_single_region_catalog(mocked):
    session = _session()
    token_hook.install(session, parse('{"image": "CloudTwo"}'), None)
    session.get("/v2/images", endpoint_filter={"service_type": "image"})
    token_request, images = mocked.request_history
    assert token_request.headers["X-Scope"] == '{"image":"CloudTwo"}'
    assert '"identity":"CloudOne"' in images.headers["X-Scope"]


def test_unauthenticated_requests_are_untouched(mocked):
    session = _session()
    token_hook.install(session, parse('{"image": "CloudTwo"}'), "CloudOne")
    session.get("http://other.example/x", authenticated=False)
    session.get_token()
    session.get("http://other.example/x", authenticated=False)
    before, _, after = mocked.request_history
    for request in before, after:
        assert request.url == "http://other.example/x"
        assert "X-Scope" not in request.headers
        assert "X-Auth-Token" not in request.headers


def test_discovery_of_a_catalog_host_gets_the_service_scope(mocked):
    mocked.get("http://127.0.0.1:9292/", json={"versions": []})
    mocked.get("http://127.0.0.1:9293/", json={"versions": []})
    session = _session()
    token_hook.install(session, parse('{"glance": "CloudTwo"}'), "CloudOne")
    session.get_token()
    session.get("http://127.0.0.1:9292/", authenticated=False)
    session.get("http://127.0.0.1:9293/", authenticated=False)  # same host, no endpoint there
    _, discovery, elsewhere = mocked.request_history
    assert discovery.headers["X-Scope"] == COMPLETED
    assert "X-Auth-Token" not in discovery.headers
    assert "X-Scope" not in elsewhere.headers


def test_a_router_refusing_discovery_stops_with_its_reason(mocked):
    """keystoneauth hides a failed discovery's body: the router's JSON reason ends the
    command, as one line, instead."""
    error = {
        "error": {
            "code": 503,
            "title": "Service Unavailable",
            "message": "cloud CloudTwo is unavailable for image: no server is up",
        }
    }
    mocked.get("http://127.0.0.1:9292/", status_code=503, json=error)
    session = _session()
    token_hook.install(session, parse('{"glance": "CloudTwo"}'), "CloudOne")
    session.get_token()
    with pytest.raises(token_hook.RouterRefusal) as raised:
        session.get("http://127.0.0.1:9292/", authenticated=False, raise_exc=False)
    message = str(raised.value)
    assert "503 Service Unavailable: cloud CloudTwo is unavailable for image" in message
    assert "\n" not in message
    assert TOKEN not in message


def test_a_404_on_discovery_is_left_to_keystoneauth(mocked):
    """keystoneauth probes other discovery URLs after a 404: not a refusal of the scope."""
    error = {"error": {"code": 404, "title": "Not Found", "message": "no service at /x"}}
    mocked.get("http://127.0.0.1:9292/", status_code=404, json=error)
    session = _session()
    token_hook.install(session, parse('{"glance": "CloudTwo"}'), "CloudOne")
    session.get_token()
    response = session.get("http://127.0.0.1:9292/", authenticated=False, raise_exc=False)
    assert response.status_code == 404


def test_discovery_before_the_token_gets_the_token_requests_scope(mocked):
    """keystoneauth's own discovery of an unversioned auth URL: it must reach the Keystone
    the token request will reach, so it carries what the token request carries."""
    versions = {
        "versions": {
            "values": [
                {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": AUTH_URL}]}
            ]
        }
    }
    mocked.get("http://127.0.0.1:5000/", json=versions)
    auth = generic.Password(
        auth_url="http://127.0.0.1:5000/",
        username="alice",
        password="secret",
        project_name="demo",
        user_domain_id="default",
        project_domain_id="default",
    )
    session = keystoneauth1.session.Session(auth=auth)
    token_hook.install(session, parse('{"image": "CloudTwo"}'), "CloudOne")
    session.get("/v2/images", endpoint_filter={"service_type": "image"})
    discovery, token_request, images = mocked.request_history
    assert (discovery.method, discovery.url) == ("GET", "http://127.0.0.1:5000/")
    assert discovery.headers["X-Scope"] == BEFORE_TOKEN
    assert token_request.headers["X-Scope"] == BEFORE_TOKEN
    assert images.headers["X-Scope"] == COMPLETED


def test_any_interface_or_region_of_the_catalog_is_the_cloud(mocked):
    internal = {"interface": "internal", "region_id": "CloudOne", "url": "http://10.0.0.5/image"}
    other = {"interface": "public", "region_id": "CloudTwo", "url": "https://Two.example/x"}
    extra = {"type": "image", "id": "i2", "endpoints": [internal, other]}
    _reply_token(mocked, _catalog(extra))
    urls = ["http://10.0.0.5:80/image/", "https://two.example:443/image", "http://two.example/"]
    for url in urls:
        mocked.get(url, text="ok")
    session = _session()
    token_hook.install(session, parse('{"image": "CloudTwo"}'), "CloudOne")
    session.get_token()
    for url in urls:
        session.get(url, authenticated=False)
    _, internal_get, other_region, plain_http = mocked.request_history
    assert internal_get.headers["X-Scope"] == other_region.headers["X-Scope"] == COMPLETED
    assert "X-Scope" not in plain_http.headers  # http is not the catalog's https


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1/image", "http://127.0.0.1:80"),
        ("HTTPS://Cloud.Example/x", "https://cloud.example:443"),
        ("http://[::1]:5000/v3", "http://[::1]:5000"),
        ("http://host:notaport/", None),
        ("ftp://host/", None),
        ("/relative/path", None),
        (None, None),
    ],
)
def test_origin(url, origin):
    assert token_hook._origin(url) == origin


def test_other_sessions_are_untouched(mocked):
    hooked, plain = _session(), _session()
    token_hook.install(hooked, parse('{"image": "CloudTwo"}'), "CloudOne")
    plain.get("/v2/images", endpoint_filter={"service_type": "image"})
    requests.get("http://other.example/x")
    for request in mocked.request_history:
        assert "X-Scope" not in request.headers
        assert "!SCOPE!" not in request.headers.get("X-Auth-Token", "")


def test_install_twice_replaces_the_scope(mocked):
    session = _session()
    token_hook.install(session, parse('{"image": "A"}'), "CloudOne")
    token_hook.install(session, parse('{"image": "B"}'), "CloudOne")
    session.get("/v2/images", endpoint_filter={"service_type": "image"})
    assert '"image":"B"' in mocked.request_history[-1].headers["X-Scope"]
    assert mocked.request_history[-1].headers["X-Auth-Token"].count("!SCOPE!") == 1


def test_a_previous_session_auth_still_runs(mocked):
    session = _session()
    seen = []

    def previous(request):
        seen.append(request.url)
        return request

    session.session.auth = previous
    token_hook.install(session, parse('{"image": "A"}'), "CloudOne")
    session.get("/v2/images", endpoint_filter={"service_type": "image"})
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("POST", "http://k/v3/auth/tokens", True),
        ("POST", "http://k/identity/v3/auth/tokens/", True),
        ("GET", "http://k/v3/auth/tokens", False),
        ("POST", "http://k/v3/OS-FEDERATION/identity_providers/i/protocols/p/auth", True),
        ("POST", "http://k/v3/users", False),
    ],
)
def test_token_requests(method, url, expected):
    request = requests.Request(method, url).prepare()
    assert token_hook._is_token_request(request) is expected


def test_a_region_name_that_is_no_cloud_name_is_refused_before_any_request(mocked):
    with pytest.raises(ScopeError) as info:
        token_hook.install(_session(), parse('{"image": "A"}'), "Region One")
    assert str(info.value).startswith("region name (the local cloud of the scope): ")
    assert mocked.request_history == []
