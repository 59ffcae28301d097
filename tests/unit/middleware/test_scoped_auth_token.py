"""The scoped_authtoken filter against fake Keystones (requests-mock), one per cloud."""

import json
import logging

import pytest
import webob
from keystonemiddleware.auth_token import ConfigurationError


def call(app, token=None, scope_header=None, environ=None, **headers):
    request = webob.Request.blank("/v2/images", environ=environ or {})
    if token is not None:
        request.headers["X-Auth-Token"] = token
    if scope_header is not None:
        request.headers["X-Scope"] = scope_header
    request.headers.update(headers)
    response = request.get_response(app)
    body = json.loads(response.body) if response.content_type == "application/json" else None
    return response, body


def scoped(token, scope):
    return f"{token}!SCOPE!{json.dumps(scope, separators=(',', ':'), sort_keys=True)}"


def test_no_scope_is_validated_by_the_local_cloud(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    response, seen = call(app, token)
    assert response.status_int == 200
    assert seen["X-User-Id"] == "alice"
    assert seen["X-Identity-Status"] == "Confirmed"
    assert clouds["CloudOne"].validations == [(token, clouds["CloudOne"].service_token)]
    assert clouds["CloudTwo"].validations == []


def test_scope_without_identity_is_local_and_token_left_intact(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    header = scoped(token, {"image": "CloudTwo"})
    response, seen = call(app, header)
    assert response.status_int == 200
    assert seen["X-Auth-Token"] == header
    assert seen["token_auth"] == header
    assert clouds["CloudOne"].validations[0][0] == token  # bare token sent to Keystone


def test_remote_identity_uses_that_clouds_url_and_credentials(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    header = scoped(token, {"identity": "CloudTwo", "image": "CloudOne"})
    response, seen = call(app, header)
    assert response.status_int == 200, response.body
    assert seen["X-User-Id"] == "bob"
    assert seen["X-Auth-Token"] == header
    assert clouds["CloudTwo"].validations == [(token, clouds["CloudTwo"].service_token)]
    assert clouds["CloudTwo"].service_logins == [("glance-two", "secret-of-cloudtwo")]
    assert clouds["CloudOne"].validations == []


def test_scope_from_x_scope_header(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    response, seen = call(app, token, scope_header='{"identity": "CloudTwo"}')
    assert response.status_int == 200
    assert seen["X-User-Id"] == "bob"
    assert seen["X-Auth-Token"] == token


def test_token_suffix_wins_over_x_scope(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    header = scoped(token, {"identity": "CloudOne"})
    response, _ = call(app, header, scope_header='{"identity":"CloudTwo"}')
    assert response.status_int == 200
    assert clouds["CloudTwo"].validations == []


def test_original_openstackoid_form_is_accepted(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    response, _ = call(app, token + '!SCOPE!{"identity": "CloudTwo", "image": "CloudOne"}')
    assert response.status_int == 200


def test_unconfigured_identity_cloud_is_401_naming_it(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    response, body = call(app, scoped(token, {"identity": "CloudNine"}))
    assert response.status_int == 401
    assert "CloudNine" in body["error"]["message"]
    assert "not configured" in body["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Keystone uri=")
    assert clouds["CloudOne"].validations == clouds["CloudTwo"].validations == []


def test_fan_out_identity_is_401(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    response, body = call(app, scoped(token, {"identity": "CloudOne&CloudTwo"}))
    assert response.status_int == 401
    assert "fan-out" in body["error"]["message"]


@pytest.mark.parametrize("scope", ["{not json", '{"image": "Cloud One"}', "[1]"])
def test_malformed_scope_is_400(make_app, clouds, scope):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    response, body = call(app, f"{token}!SCOPE!{scope}")
    assert response.status_int == 400
    assert body["error"]["message"].startswith("Invalid scope: ")
    assert clouds["CloudOne"].validations == []


def test_invalid_token_is_401(make_app, clouds):
    app = make_app()
    response, _ = call(app, scoped("forged", {"identity": "CloudTwo"}))
    assert response.status_int == 401


def test_token_of_the_other_cloud_is_refused(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    response, _ = call(app, scoped(token, {"identity": "CloudOne"}))
    assert response.status_int == 401


def test_failover_skips_unconfigured_and_unreachable_clouds(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    response, _ = call(app, scoped(token, {"identity": "CloudNine|CloudTwo"}))
    assert response.status_int == 200
    clouds["CloudOne"].down = True
    token = clouds["CloudTwo"].issue("carol")
    response, seen = call(app, scoped(token, {"identity": "CloudOne|CloudTwo"}))
    assert response.status_int == 200
    assert seen["X-User-Id"] == "carol"


def test_failover_tries_next_cloud_when_first_does_not_know_the_token(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    response, _ = call(app, scoped(token, {"identity": "CloudOne|CloudTwo"}))
    assert response.status_int == 200


def test_unreachable_identity_cloud_is_503_naming_it(make_app, clouds):
    app = make_app()
    clouds["CloudTwo"].down = True
    token = clouds["CloudTwo"].issue("bob")
    response, body = call(app, scoped(token, {"identity": "CloudTwo"}))
    assert response.status_int == 503
    assert "CloudTwo" in body["error"]["message"]


def test_unreachable_local_keystone_is_503(make_app, clouds):
    app = make_app()
    clouds["CloudOne"].down = True
    response, _ = call(app, clouds["CloudOne"].issue("alice"))
    assert response.status_int == 503


def test_caches_are_independent_per_cloud(make_app, clouds):
    app = make_app()
    token = clouds["CloudOne"].issue("alice")
    clouds["CloudTwo"].user_tokens[token] = "alice-in-two"  # same string, both clouds
    for _ in range(2):
        _, seen = call(app, token)
        assert seen["X-User-Id"] == "alice"
        _, seen = call(app, scoped(token, {"identity": "CloudTwo", "image": "CloudOne"}))
        assert seen["X-User-Id"] == "alice-in-two"
        _, seen = call(app, scoped(token, {"identity": "CloudTwo"}))
        assert seen["X-User-Id"] == "alice-in-two"
    assert len(clouds["CloudOne"].validations) == 1
    assert len(clouds["CloudTwo"].validations) == 1


def test_remote_token_gets_the_local_catalog_first(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    _, seen = call(app, scoped(token, {"identity": "CloudTwo"}))
    regions = [
        endpoint["region"]
        for service in json.loads(seen["X-Service-Catalog"])
        if service["type"] == "image"
        for endpoint in service["endpoints"]
    ]
    assert regions == ["CloudOne", "CloudTwo"]


def test_local_catalog_can_be_turned_off(make_app, clouds):
    app = make_app(local_catalog="false")
    token = clouds["CloudTwo"].issue("bob")
    _, seen = call(app, scoped(token, {"identity": "CloudTwo"}))
    regions = {
        endpoint["region"]
        for service in json.loads(seen["X-Service-Catalog"])
        for endpoint in service["endpoints"]
    }
    assert regions == {"CloudTwo"}


def test_service_token_of_the_identity_cloud_is_accepted(make_app, clouds):
    """Nova of CloudTwo calling this service on behalf of a CloudTwo user (when CloudTwo's
    trust policy accepts its service tokens: test_trust_filter.py)."""
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    service = clouds["CloudTwo"].issue("nova-two")
    response, _ = call(
        app, scoped(token, {"identity": "CloudTwo"}), **{"X-Service-Token": service}
    )
    assert response.status_int == 200


def test_local_cloud_from_option_and_missing_section(make_app, clouds):
    app = make_app(local_cloud="Here")
    token = clouds["CloudOne"].issue("alice")
    assert call(app, scoped(token, {"identity": "Here"}))[0].status_int == 200
    assert call(app, scoped(token, {"identity": "CloudOne"}))[0].status_int == 401
    with pytest.raises(ConfigurationError, match="CloudThree"):
        make_app(remote_clouds="CloudTwo,CloudThree")


def test_no_token_or_secret_in_logs(make_app, clouds, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app()
    secrets = ["secret-of-cloudone", "secret-of-cloudtwo"]
    secrets += [clouds[c].service_token for c in clouds]
    one, two = clouds["CloudOne"].issue("alice"), clouds["CloudTwo"].issue("bob")
    secrets += [one, two]
    call(app, one)
    call(app, scoped(two, {"identity": "CloudTwo"}))
    call(app, scoped(one, {"identity": "CloudTwo"}))
    call(app, scoped(one, {"identity": "CloudNine"}))
    call(app, f"{one}!SCOPE!{{bad")
    clouds["CloudTwo"].down = True
    call(app, scoped("other" + two, {"identity": "CloudTwo"}))
    assert "validating token" in caplog.text  # debug logging was on
    for secret in secrets:
        assert secret not in caplog.text


def test_delay_auth_decision(make_app, clouds):
    """Glance's paste default: refusals still answered, the rest left to the service."""
    app = make_app(delay_auth_decision="true")
    token = clouds["CloudOne"].issue("alice")
    response, body = call(app, scoped(token, {"identity": "CloudNine"}))
    assert response.status_int == 401
    assert "CloudNine" in body["error"]["message"]
    response, seen = call(app, scope_header='{"identity": "CloudNine"}')
    assert response.status_int == 200
    assert seen["X-Identity-Status"] == "Invalid"
    clouds["CloudTwo"].down = True  # a Keystone down is not a bad token: 503 naming it
    response, body = call(app, scoped(token, {"identity": "CloudTwo"}))
    assert response.status_int == 503
    assert "CloudTwo" in body["error"]["message"]


def test_nested_failover_and_fan_out_inside_failover(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    assert call(app, scoped(token, {"identity": "(CloudNine|CloudTwo)"}))[0].status_int == 200
    response, body = call(app, scoped(token, {"identity": "CloudNine|CloudOne&CloudTwo"}))
    assert response.status_int == 401
    assert "fan-out" in body["error"]["message"]
