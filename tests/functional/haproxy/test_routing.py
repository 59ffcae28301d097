"""Real haproxy routers on loopback: routes, headers, errors, failover, hops, logs."""

import http.client
import json
import socket
import urllib.request

import pytest

pytestmark = pytest.mark.haproxy

TOKEN = "gAAAAABsecret-token-0123456789"
WIRE = (
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo",'
    '"network":"CloudOne","placement":"CloudOne"}'
)


def scoped(scope, token=TOKEN):
    return {"X-Auth-Token": f"{token}!SCOPE!{scope}"}


def assert_error(answer, status, *needles):
    code, body = answer
    assert code == status, answer
    assert body["error"]["code"] == status, body
    assert body["error"]["title"]
    for needle in needles:
        assert needle in body["error"]["message"], body


def test_no_scope_routes_everything_local(clouds):
    status, body = clouds.request("CloudOne", "/image/v2/images", {"X-Auth-Token": TOKEN})
    assert status == 200
    assert (body["cloud"], body["service"], body["path"]) == (
        "CloudOne",
        "image",
        "/image/v2/images",
    )
    assert body["headers"]["x-auth-token"] == TOKEN
    assert "x-scope-hops" not in body["headers"]
    status, body = clouds.request("CloudOne", "/v2.0/networks", network=True)
    assert (body["cloud"], body["service"]) == ("CloudOne", "network")


def test_image_in_cloudtwo_through_cloudtwo_s_router(clouds):
    status, body = clouds.request("CloudOne", "/image/v2/images", scoped(WIRE))
    assert status == 200
    assert (body["cloud"], body["service"], body["path"]) == (
        "CloudTwo",
        "image",
        "/image/v2/images",
    )
    headers = body["headers"]
    assert headers["x-auth-token"] == f"{TOKEN}!SCOPE!{WIRE}"  # the scope travels on
    assert headers["x-scope-hops"] == "1"
    assert headers["host"] == f"127.0.0.2:{clouds.ports['CloudTwo'][0]}"
    clouds.routers["CloudOne"].wait_for_log("cloud=CloudTwo service=image via=native")


def test_partial_scope_is_completed_by_the_first_router(clouds):
    status, body = clouds.request("CloudOne", "/image/v2", scoped('{"glance": "CloudTwo"}'))
    assert (status, body["cloud"]) == (200, "CloudTwo")
    assert body["headers"]["x-auth-token"] == f"{TOKEN}!SCOPE!{WIRE}"
    assert body["headers"]["x-scope"] == WIRE
    clouds.routers["CloudOne"].wait_for_log("cloud=CloudTwo service=image via=lua")


def test_scope_in_x_scope_for_the_token_request(clouds):
    answer = clouds.request(
        "CloudOne", "/identity/v3/auth/tokens", {"X-Scope": '{"identity":"CloudTwo"}'}, "POST"
    )
    status, body = answer
    assert (status, body["cloud"], body["service"]) == (200, "CloudTwo", "identity")
    assert json.loads(body["headers"]["x-scope"])["identity"] == "CloudTwo"


def test_token_is_stripped_only_toward_local_identity(clouds):
    headers = {**scoped(WIRE), "X-Subject-Token": f"subject!SCOPE!{WIRE}"}
    status, body = clouds.request("CloudOne", "/identity/v3/auth/tokens", headers)
    assert (body["cloud"], body["service"]) == ("CloudOne", "identity")
    assert body["headers"]["x-auth-token"] == TOKEN
    assert body["headers"]["x-subject-token"] == "subject"
    status, body = clouds.request("CloudOne", "/compute/v2.1/servers", scoped(WIRE))
    assert body["service"] == "compute"
    assert body["headers"]["x-auth-token"] == f"{TOKEN}!SCOPE!{WIRE}"
    # identity of the other cloud: CloudTwo's router strips it, CloudOne's does not
    remote = WIRE.replace('"identity":"CloudOne"', '"identity":"CloudTwo"')
    status, body = clouds.request("CloudOne", "/identity/v3/users", scoped(remote))
    assert (body["cloud"], body["headers"]["x-auth-token"]) == ("CloudTwo", TOKEN)


def test_malformed_scope_is_400_naming_the_fault(clouds):
    assert_error(clouds.request("CloudOne", "/image", scoped("{bad")), 400, "not valid JSON")
    assert_error(
        clouds.request("CloudOne", "/image", {"X-Scope": '{"imagez": "CloudTwo"}'}), 400, "imagez"
    )
    assert_error(
        clouds.request("CloudOne", "/image", {"X-Scope": '{"image": "A||B"}'}), 400, "position 2"
    )


def test_unknown_cloud_is_400_naming_the_known_ones(clouds):
    answer = clouds.request("CloudOne", "/image", {"X-Scope": '{"image": "CloudNine"}'})
    assert_error(answer, 400, "CloudNine", "CloudOne, CloudTwo")


def test_no_service_at_that_path_is_404(clouds):
    assert_error(clouds.request("CloudOne", "/images/v2"), 404, "/images/v2")


def test_a_fan_out_goes_to_the_fan_out_service_with_the_router_s_headers(clouds):
    forged = {"X-Scope-Service": "compute", "X-Scope-Frontend": "elsewhere"}
    fan_out = {"X-Scope": '{"image": "CloudOne&CloudTwo"}', **forged}
    status, body = clouds.request("CloudOne", "/image/v2/images", fan_out)
    assert (status, body["cloud"], body["service"]) == (200, "osc-scope", "fanout")
    assert body["headers"]["x-scope-service"] == "image"
    frontend = f"CloudOne:{clouds.hosts['CloudOne']}:{clouds.ports['CloudOne'][0]}"
    assert body["headers"]["x-scope-frontend"] == frontend
    answer = clouds.request("CloudOne", "/image/v2/images", fan_out, method="POST")
    assert_error(answer, 501, "serves only GET and HEAD, not POST (image: CloudOne&CloudTwo)")


def _unix_get(path, url_path, headers):
    """(status, X-Scope-Cloud, JSON body) of a GET over a Unix socket."""

    class UnixConnection(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(10)
            self.sock.connect(path)

    connection = UnixConnection("localhost")
    try:
        connection.request("GET", url_path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("X-Scope-Cloud"), json.loads(response.read())
    finally:
        connection.close()


def test_the_internal_listener_routes_alike_and_names_the_cloud_that_served(clouds):
    config = json.loads((clouds.tmp / "CloudOne" / "fanout.json").read_text())
    frontend = config["frontends"][
        f"CloudOne:{clouds.hosts['CloudOne']}:{clouds.ports['CloudOne'][0]}"
    ]
    headers = {"X-Scope": '{"image": "CloudTwo"}', "X-Scope-Hops": "1"}
    status, served_by, body = _unix_get(frontend["socket"], "/image/v2/images", headers)
    assert (status, served_by, body["cloud"]) == (200, "CloudTwo", "CloudTwo")
    headers = {"X-Scope": '{"image": "CloudTwo|CloudOne"}', "X-Scope-Hops": "1"}
    status, served_by, body = _unix_get(frontend["socket"], "/image/v2/images", headers)
    assert (status, served_by) == (200, "CloudTwo")
    # clients of the public listeners do not get it
    req = urllib.request.Request(clouds.url("CloudOne", "/image/v2/images"))
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.headers.get("X-Scope-Cloud") is None


def test_hop_guard_is_508(clouds):
    assert_error(clouds.request("CloudOne", "/image", {"X-Scope-Hops": "3"}), 508, "loop")
    status, body = clouds.request("CloudOne", "/image", {"X-Scope-Hops": "2"})
    assert (status, body["cloud"]) == (200, "CloudOne")
    headers = {**scoped(WIRE), "X-Scope-Hops": "1"}
    status, body = clouds.request("CloudOne", "/image", headers)
    assert body["headers"]["x-scope-hops"] == "2"


def test_failover_after_a_backend_stops_then_503(clouds):
    headers = scoped(WIRE.replace('"image":"CloudTwo"', '"image":"CloudTwo|CloudOne"'))
    status, body = clouds.request("CloudOne", "/image/v2", headers)
    assert (status, body["cloud"]) == (200, "CloudTwo")
    clouds.echo["CloudTwo", "image"].stop()
    # CloudOne's health check of CloudTwo:image goes through CloudTwo's router, which now
    # answers 503 for image: CloudOne marks the backend down and fails over.
    clouds.wait_for(
        lambda: clouds.request("CloudOne", "/image/v2", headers)[1].get("cloud") == "CloudOne"
    )
    # the native path serves failover too (Lua gives the same answer: test_fast_path.py)
    clouds.routers["CloudOne"].wait_for_log("cloud=CloudOne service=image via=native")
    # a single cloud that is down: 503 JSON naming it
    answer = clouds.request("CloudOne", "/image/v2", scoped(WIRE))
    assert_error(answer, 503, "CloudTwo")
    clouds.echo["CloudOne", "image"].stop()
    clouds.wait_for(lambda: clouds.request("CloudOne", "/image/v2", headers)[0] == 503)
    assert_error(clouds.request("CloudOne", "/image/v2", headers), 503, "CloudTwo|CloudOne")


def test_metrics_on_loopback_count_per_cloud_and_service(clouds):
    clouds.request("CloudOne", "/image/v2", scoped(WIRE))
    requests = {
        labels["proxy"]: int(value)
        for labels, value in clouds.metric_lines("CloudOne", "haproxy_backend_http_requests_total")
    }
    assert requests["CloudTwo:image"] == 1  # health checks are not counted


def test_logs_carry_the_decision_never_the_token(clouds):
    clouds.request("CloudOne", "/image/v2", scoped(WIRE))
    clouds.request("CloudOne", "/image/v2", scoped("{bad"))
    clouds.request("CloudOne", "/identity/v3", {**scoped(WIRE), "X-Subject-Token": TOKEN})
    clouds.routers["CloudOne"].stop()
    clouds.routers["CloudTwo"].stop()
    for cloud in ("CloudOne", "CloudTwo"):
        log = clouds.routers[cloud].log()
        assert "cloud=CloudTwo service=image" in log
        assert TOKEN not in log
        assert "SCOPE" not in log


def checks_passed(clouds, cloud, backends):
    """Whether the last health check of each server of ``backends`` passed."""
    passed = {
        labels["proxy"]
        for labels, value in clouds.metric_lines(cloud, "haproxy_server_check_status")
        if labels["state"] == "L7OK" and value == "1"
    }
    return set(backends) <= passed


def test_an_error_on_traffic_brings_the_next_check_forward(make_clouds):
    # CloudOne may check CloudTwo's 5 services 0.01 times a second, all together: each
    # every 500 s. Yet the failover is not late: CloudTwo's router, whose own Glance is
    # gone, sends the request on to CloudOne (failover.py: its backend's backup is the
    # router itself, and a later hop prefers the cloud it reaches), within a few check
    # intervals at most.
    clouds = make_clouds()
    # CloudTwo first: CloudOne's first checks of it must pass, or its servers would stay
    # down until the next regular check
    clouds.start("CloudTwo")
    router = clouds.start("CloudOne", check_rate=0.01)
    clouds.wait_ready()
    assert (router.checks.remote_interval, router.checks.fast_interval) == (500, 0.2)
    # the wait below ends long before a regular check could explain a failover
    assert clouds.to_notice() < router.checks.remote_interval / 2
    # one passed check makes a server fully up: from then on, checked every 500 s
    remote = [
        f"CloudTwo:{e['service_type']}" for e in clouds.table["clouds"]["CloudTwo"]["endpoints"]
    ]
    clouds.wait_for(lambda: checks_passed(clouds, "CloudOne", remote))
    clouds.echo["CloudTwo", "image"].stop()
    headers = scoped(WIRE.replace('"image":"CloudTwo"', '"image":"CloudTwo|CloudOne"'))
    clouds.wait_for(
        lambda: clouds.request("CloudOne", "/image/v2", headers)[1].get("cloud") == "CloudOne"
    )
