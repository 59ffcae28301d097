"""The lab's trust overrides (DIR/trust.json): the default policy unless the file says."""

import json

import pytest

from osc_scope.lab import common, credentials, layout, trust
from osc_scope.lab.errors import LabError
from osc_scope.middleware import opts

CLOUDS = ("CloudOne", "CloudTwo")


def _sections(tmp_path, service="nova"):
    lab = layout.Lab(str(tmp_path), CLOUDS)
    creds = credentials.load(str(tmp_path / "secrets.json"), CLOUDS, (service,))
    ctx = common.Context(lab, creds, None, None, ())
    return common.authtoken_sections(ctx, lab.cloud("CloudOne"), service)


def test_default_policy_writes_no_trust_option(tmp_path):
    remote = _sections(tmp_path)["keystone_authtoken:CloudTwo"]
    assert not set(remote) & {opt.dest for opt in opts.TRUST_OPTS}


def test_overrides_land_in_the_remote_section_as_ini_values(tmp_path):
    (tmp_path / trust.FILE).write_text(
        json.dumps(
            {"CloudOne": {"CloudTwo": {"role_mapping": {"admin": "admin", "x": "member"},
                                       "honoured_roles": ["reader"]}}}
        )
    )  # fmt: skip
    sections = _sections(tmp_path)
    remote = sections["keystone_authtoken:CloudTwo"]
    assert remote["role_mapping"] == "admin:admin,x:member"
    assert remote["honoured_roles"] == ["reader"]
    assert "role_mapping" not in sections["keystone_authtoken"]  # local tokens untouched


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"CloudOne": {"CloudTwo": {"admin_is_admin": true}}}', "unknown trust option"),
        ('{"CloudOne": {"CloudTwo": ["role_mapping"]}}', "expected"),
        ("{not json", "trust.json"),
    ],
)
def test_bad_overrides_are_named(tmp_path, content, message):
    (tmp_path / trust.FILE).write_text(content)
    with pytest.raises(LabError, match=message):
        _sections(tmp_path)
