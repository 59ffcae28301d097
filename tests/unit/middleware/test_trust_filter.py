"""The trust policy in the scoped filter: what reaches the service, against fake Keystones.

``make_app(extra)`` appends ``extra`` to the service config, whose last section is
``[keystone_authtoken:CloudTwo]``: the trust options written there are CloudTwo's policy.
"""

import logging

import pytest
from keystonemiddleware.auth_token import ConfigurationError

from osc_scope.middleware import trust

from .test_scoped_auth_token import call, scoped

REMOTE = {"identity": "CloudTwo"}
ADMIN = ["admin", "member", "reader"]  # Keystone's admin implies member and reader


class SharedCache:
    """A memcached stand-in kept across two builds of the filter: a restart."""

    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, time=None):
        self.data[key] = value


def roles(seen, key="X-Roles"):
    return sorted(seen[key].split(",")) if seen[key] else []


def test_remote_admin_is_a_member_here_by_default(make_app, clouds):
    app = make_app()
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    response, seen = call(app, scoped(token, REMOTE))
    assert response.status_int == 200, seen
    assert roles(seen) == ["member", "reader"]
    assert seen["X-Identity-Cloud"] == "CloudTwo"
    assert seen["X-Is-Admin-Project"] == "False"


def test_local_tokens_are_untouched(make_app, clouds):
    app = make_app("role_mapping = admin:member\nhonoured_roles = reader\n")
    token = clouds["CloudOne"].issue("alice", roles=ADMIN)
    response, seen = call(app, token)
    assert response.status_int == 200
    assert roles(seen) == ["admin", "member", "reader"]
    assert seen["X-Identity-Cloud"] == "CloudOne"
    assert seen["X-Is-Admin-Project"] == "True"  # Keystone's token said nothing: the default


def test_mapping_admin_to_admin_makes_remote_admin_admin(make_app, clouds):
    app = make_app("role_mapping = admin:admin\n")
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    _, seen = call(app, scoped(token, REMOTE))
    assert roles(seen) == ["admin", "member", "reader"]


def test_token_left_without_role_is_403_naming_cloud_and_why(make_app, clouds):
    app = make_app(delay_auth_decision="true")  # refused all the same
    token = clouds["CloudTwo"].issue("bob", roles=["admin"])
    response, body = call(app, scoped(token, REMOTE))
    assert response.status_int == 403
    assert body["error"]["code"] == 403 and body["error"]["title"] == "Forbidden"
    assert "CloudTwo" in body["error"]["message"]
    assert "no role honoured" in body["error"]["message"]


def test_project_outside_accepted_projects_is_403(make_app, clouds):
    app = make_app("accepted_projects = project-ok\n")
    ok = clouds["CloudTwo"].issue("bob", project_id="project-ok", project_domain_id="default")
    assert call(app, scoped(ok, REMOTE))[0].status_int == 200
    other = clouds["CloudTwo"].issue("eve")
    response, body = call(app, scoped(other, REMOTE))
    assert response.status_int == 403
    assert "project project-CloudTwo of cloud CloudTwo" in body["error"]["message"]


def test_client_supplied_identity_headers_never_reach_the_service(make_app, clouds):
    app = make_app(delay_auth_decision="true")
    forged = {
        "X-Roles": "admin",
        "X-Identity-Status": "Confirmed",
        "X-Service-Roles": "admin,service",
        "X-Service-Identity-Status": "Confirmed",
        "X-Identity-Cloud": "CloudOne",
        "X-Service-Identity-Cloud": "CloudOne",
        "X-Is-Admin-Project": "True",
    }
    _, seen = call(app, None, **forged)  # no token: the service decides (delay_auth_decision)
    assert seen["X-Identity-Status"] == "Invalid"
    for key in forged:
        if key != "X-Identity-Status":
            assert seen[key] is None, key
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    _, seen = call(app, scoped(token, REMOTE), **forged)
    assert roles(seen) == ["member", "reader"]
    assert seen["X-Identity-Cloud"] == "CloudTwo"
    assert seen["X-Service-Roles"] is None and seen["X-Service-Identity-Cloud"] is None


def test_remote_service_token_refused_when_not_accepted(make_app, clouds):
    app = make_app("accept_service_tokens = false\n")
    token = clouds["CloudTwo"].issue("bob")
    service = clouds["CloudTwo"].issue("nova-two", roles=["service", "admin"])
    response, body = call(app, scoped(token, REMOTE), **{"X-Service-Token": service})
    assert response.status_int == 403
    assert "service tokens of cloud CloudTwo" in body["error"]["message"]


def test_remote_service_token_keeps_only_service_and_honoured_roles(make_app, clouds):
    """CloudTwo's Nova calling this service for a CloudTwo user (the seed's image fetch)."""
    app = make_app()
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    service = clouds["CloudTwo"].issue("nova-two", roles=["service", "admin"])
    response, seen = call(app, scoped(token, REMOTE), **{"X-Service-Token": service})
    assert response.status_int == 200
    assert seen["X-Service-Identity-Status"] == "Confirmed"
    assert roles(seen, "X-Service-Roles") == ["service"]
    assert seen["X-Service-Identity-Cloud"] == "CloudTwo"
    assert roles(seen) == ["member", "reader"]


def test_local_service_token_with_remote_user_is_untouched(make_app, clouds):
    """CloudOne's Nova calling CloudOne's Glance for a CloudTwo user."""
    app = make_app()
    token = clouds["CloudTwo"].issue("bob")
    service = clouds["CloudOne"].issue("nova-one", roles=["service", "admin"])
    response, seen = call(app, scoped(token, REMOTE), **{"X-Service-Token": service})
    assert response.status_int == 200
    assert roles(seen, "X-Service-Roles") == ["admin", "service"]
    assert seen["X-Service-Identity-Cloud"] == "CloudOne"


@pytest.mark.parametrize(
    "first, then", [("role_mapping = admin:admin\n", ""), ("", "role_mapping = admin:admin\n")]
)
def test_cached_validation_follows_the_policy_after_a_restart(make_app, clouds, first, then):
    """The token cache (here memcached, shared across restarts) holds Keystone's answer;
    the policy of the running filter applies to it on every request."""
    shared = SharedCache()
    cache = "cache = test.memcache\n"
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    environ = {"test.memcache": shared}
    _, seen = call(make_app(cache + first), scoped(token, REMOTE), environ=environ)
    assert ("admin" in roles(seen)) == bool(first)
    assert shared.data  # cached
    _, seen = call(make_app(cache + then), scoped(token, REMOTE), environ=environ)
    assert ("admin" in roles(seen)) == bool(then)
    assert len(clouds["CloudTwo"].validations) == 1  # the second answer came from the cache


def test_one_audit_line_per_remote_validation_without_token(make_app, clouds, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app()
    token = clouds["CloudTwo"].issue("bob", roles=ADMIN)
    refused = clouds["CloudTwo"].issue("eve", roles=["admin"])
    call(app, clouds["CloudOne"].issue("alice"))  # local: no audit line
    call(app, scoped(token, REMOTE))
    call(app, scoped(token, REMOTE))  # cached: still audited
    call(app, scoped(refused, REMOTE))
    lines = [r.getMessage() for r in caplog.records if r.name == trust.AUDIT_LOG.name]
    assert lines == [
        "remote user token accepted: cloud=CloudTwo user=bob project=project-CloudTwo "
        "roles_kept=member,reader roles_dropped=admin",
    ] * 2 + [
        "remote user token refused: cloud=CloudTwo user=eve project=project-CloudTwo "
        "roles_kept=- roles_dropped=admin reason=token of cloud CloudTwo has no role honoured "
        "here (its roles: admin; honoured_roles and role_mapping in "
        "[keystone_authtoken:CloudTwo])",
    ]
    for secret in (token, refused, "secret-of-cloudtwo"):
        assert secret not in caplog.text


def test_policy_is_logged_at_start_and_bad_mapping_refused(make_app, clouds, caplog):
    caplog.set_level(logging.INFO)
    make_app("role_mapping = admin:member\n")
    assert "trust of CloudTwo: honoured roles member,reader, mapping admin->member" in caplog.text
    with pytest.raises(ConfigurationError, match="role_mapping"):
        make_app("role_mapping = admin:\n")
