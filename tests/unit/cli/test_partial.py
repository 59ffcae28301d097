"""A partial fan-out answer (X-Scope-Partial) is one warning per missing cloud, once."""

import keystoneauth1.session
import pytest
import requests_mock
from keystoneauth1.identity import v3

from osc_scope.cli import partial, token_hook
from osc_scope.scope import parse

AUTH_URL = "http://127.0.0.1:5000/v3"
IMAGES = "http://127.0.0.1:9292/v2/images"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("CloudTwo=503", [("CloudTwo", "503")]),
        ("CloudTwo=timeout, CloudOne|CloudOne2=unreachable",
         [("CloudTwo", "timeout"), ("CloudOne|CloudOne2", "unreachable")]),
        ("", []),
        (None, []),
        ("garbage, =x, y=", []),
    ],
)  # fmt: skip
def test_parse(value, parsed):
    assert partial.parse(value) == parsed


def test_each_missing_cloud_is_one_warning_once_per_session(caplog):
    catalog = [
        {
            "type": "image",
            "id": "image",
            "endpoints": [{"interface": "public", "region_id": "CloudOne",
                           "url": "http://127.0.0.1:9292", "id": "i"}],
        }
    ]  # fmt: skip
    token = {
        "token": {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00Z",
            "project": {"id": "p", "name": "demo", "domain": {"id": "default"}},
            "user": {"id": "u", "name": "alice", "domain": {"id": "default"}},
            "catalog": catalog,
        }
    }
    headers = {"X-Scope-Clouds": "CloudOne", "X-Scope-Partial": "CloudTwo=503, CloudThree=timeout"}
    with requests_mock.Mocker() as mock:
        mock.post(AUTH_URL + "/auth/tokens", json=token, headers={"X-Subject-Token": "tok"})
        mock.get(IMAGES, json={"images": []}, headers=headers)
        session = keystoneauth1.session.Session(
            auth=v3.Password(auth_url=AUTH_URL, username="alice", password="secret",
                             project_name="demo", user_domain_id="default",
                             project_domain_id="default")
        )  # fmt: skip
        token_hook.install(session, parse('{"image": "CloudOne&CloudTwo&CloudThree"}'), "CloudOne")
        with caplog.at_level("WARNING", logger=partial.__name__):
            session.get(IMAGES)
            session.get(IMAGES)  # the next page meets the same gap: no new warning
    lines = [record.message for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("osc-scope: CloudTwo is missing from this fan-out answer (503)")
    assert "CloudThree is missing from this fan-out answer (timeout)" in lines[1]
    assert all("tok" not in line for line in lines)
