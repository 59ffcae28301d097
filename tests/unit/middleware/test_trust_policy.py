"""The trust policy of a remote identity cloud, on token data alone (no middleware)."""

import logging

import pytest
from keystoneauth1 import fixture

from osc_scope.middleware import opts, trust

SECTION = "keystone_authtoken:CloudTwo"


def policy(**options):
    values = {opt.dest: opt.default for opt in opts.TRUST_OPTS}
    values.update(options)
    return trust.Policy.from_options("CloudTwo", SECTION, values)


def token(*roles, **scope):
    scope = scope or {"project_id": "p1", "project_domain_id": "default"}
    data = fixture.V3Token(user_id="u1", **scope)
    for role in roles:
        data.add_role(name=role, id=f"{role}-id")
    return dict(data)


def names(verdict):
    return [role["name"] for role in verdict.data["token"]["roles"]]


def test_default_keeps_reader_and_member_and_drops_admin():
    verdict = policy().apply(token("admin", "member", "reader"))
    assert names(verdict) == ["member", "reader"]
    assert verdict.kept == ("member", "reader")
    assert verdict.dropped == ("admin",)
    assert verdict.data["token"]["is_admin_project"] is False


def test_default_drops_unknown_roles():
    verdict = policy().apply(token("member", "heat_stack_owner", "service"))
    assert verdict.kept == ("member",)
    assert verdict.dropped == ("heat_stack_owner", "service")


def test_input_data_is_not_modified():
    data = token("admin", "member")
    policy().apply(data)
    assert [role["name"] for role in data["token"]["roles"]] == ["admin", "member"]
    assert "is_admin_project" not in data["token"]


def test_mapping_renames_and_keeps_remote_role_id():
    verdict = policy(role_mapping={"admin": "member"}).apply(token("admin"))
    assert verdict.data["token"]["roles"] == [{"id": "admin-id", "name": "member"}]
    assert verdict.dropped == ()


def test_mapping_admin_to_admin_grants_admin():
    verdict = policy(role_mapping={"admin": "admin"}).apply(token("admin", "member", "reader"))
    assert verdict.kept == ("admin", "member", "reader")


def test_mapping_wins_over_honoured_name_and_merges_duplicates():
    verdict = policy(role_mapping={"member": "reader", "operator": "reader"}).apply(
        token("member", "operator", "reader")
    )
    assert verdict.kept == ("reader",)
    assert names(verdict) == ["reader"]


def test_narrowed_honoured_roles():
    verdict = policy(honoured_roles=["reader"]).apply(token("admin", "member", "reader"))
    assert verdict.kept == ("reader",)
    assert verdict.dropped == ("admin", "member")


def test_empty_result_is_refused_naming_cloud_roles_and_section():
    with pytest.raises(trust.Refused) as refused:
        policy(honoured_roles=[]).apply(token("admin", "member"))
    message = str(refused.value)
    assert "CloudTwo" in message and "no role honoured" in message
    assert "admin, member" in message and SECTION in message
    assert refused.value.dropped == ("admin", "member")


def test_token_without_roles_is_refused():
    with pytest.raises(trust.Refused, match="its roles: none"):
        policy().apply(token())


def test_accepted_projects():
    narrow = policy(accepted_projects=["p1"])
    assert narrow.apply(token("member")).kept == ("member",)
    with pytest.raises(trust.Refused, match="project p2 of cloud CloudTwo is not accepted"):
        narrow.apply(token("member", project_id="p2", project_domain_id="default"))
    with pytest.raises(trust.Refused, match="without a project"):
        narrow.apply(token("member", domain_id="default"))


def test_accepted_domains_by_id_or_name():
    scoped = token("member", project_id="p1", project_domain_id="d1", project_domain_name="Ops")
    assert policy(accepted_domains=["d1"]).apply(scoped).kept == ("member",)
    assert policy(accepted_domains=["Ops"]).apply(scoped).kept == ("member",)
    with pytest.raises(trust.Refused, match="domain d1 of cloud CloudTwo"):
        policy(accepted_domains=["default"]).apply(scoped)
    domain_scoped = token("member", domain_id="d1", domain_name="Ops")
    assert policy(accepted_domains=["d1"]).apply(domain_scoped).kept == ("member",)


def test_system_scoped_token_is_refused():
    data = token("admin", "reader")
    data["token"]["system"] = {"all": True}
    with pytest.raises(trust.Refused, match="system-scoped"):
        policy().apply(data)


def test_service_tokens_refused_when_not_accepted():
    with pytest.raises(trust.Refused, match="service tokens of cloud CloudTwo") as refused:
        policy(accept_service_tokens=False).apply(token("service"), service=True)
    assert "accept_service_tokens" in str(refused.value)


def test_accepted_service_token_keeps_the_service_role_only_as_a_service_token():
    accepting = policy()  # the default: a cloud's services may call this one
    verdict = accepting.apply(token("service", "admin"), service=True)
    assert verdict.kept == ("service",)
    assert verdict.dropped == ("admin",)
    with pytest.raises(trust.Refused, match="no role honoured"):
        accepting.apply(token("service"))  # a user token with only `service`


def test_not_a_v3_token_is_refused():
    with pytest.raises(trust.Refused, match="v3"):
        policy().apply({"access": {}})


def test_bad_mapping_is_a_configuration_error():
    with pytest.raises(ValueError, match="role_mapping"):
        policy(role_mapping={"admin": ""})


def test_describe_says_everything():
    text = policy(role_mapping={"admin": "member"}, accepted_domains=["d1"]).describe()
    assert text == (
        "CloudTwo: honoured roles member,reader, mapping admin->member, projects any, "
        "domains d1, service tokens accepted"
    )


def test_audit_line_has_cloud_user_project_roles(caplog):
    caplog.set_level(logging.INFO, logger=trust.AUDIT_LOG.name)
    data = token("admin", "member")
    trust.audit("CloudTwo", data, ("member",), ("admin",))
    (line,) = [r.getMessage() for r in caplog.records]
    assert line == (
        "remote user token accepted: cloud=CloudTwo user=u1 project=p1 "
        "roles_kept=member roles_dropped=admin"
    )
