"""Catalog reading: saved 'openstack endpoint list -f json' files and live clouds."""

import json

import pytest

from osc_scope.routing import catalog


def row(region="CloudOne", stype="image", interface="public", url="http://127.0.0.1/image", **kw):
    return {
        "ID": "x",
        "Region": region,
        "Service Name": "svc",
        "Service Type": stype,
        "Enabled": True,
        "Interface": interface,
        "URL": url,
        **kw,
    }


def test_reads_osc_endpoint_list(tmp_path):
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps([row(), row(stype="volumev3", url="http://h:8776/v3")]))
    endpoints = catalog.read_file(path)
    assert endpoints == [
        catalog.Endpoint("CloudOne", "image", "public", "http://127.0.0.1/image"),
        catalog.Endpoint("CloudOne", "block-storage", "public", "http://h:8776/v3"),
    ]


def test_keystone_api_field_names_are_accepted():
    rows = [
        {"region_id": "R", "service_type": "compute", "interface": "admin", "url": "http://h/c"}
    ]
    assert catalog.from_endpoint_list(rows) == [
        catalog.Endpoint("R", "compute", "admin", "http://h/c")
    ]


def test_disabled_endpoints_are_dropped():
    assert len(catalog.from_endpoint_list([row(), row(Enabled=False, url="http://h/x")])) == 1


def test_unknown_service_types_are_kept_as_they_are():
    assert catalog.from_endpoint_list([row(stype="my-own")])[0].service_type == "my-own"


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not JSON"),
        ('{"endpoints": []}', "expected a JSON list"),
        ("[]", "no enabled endpoint"),
        ('["x"]', "expected an object"),
        (json.dumps([{"Region": "R", "Service Type": "image", "URL": "u"}]), "'Interface'"),
        (json.dumps([row(region="")]), "region must be a non-empty string"),
    ],
)
def test_broken_files_are_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(catalog.CatalogError, match=message) as info:
        catalog.read_file(path)
    assert str(path) in str(info.value)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(catalog.CatalogError, match="No such file"):
        catalog.read_file(tmp_path / "absent.json")


AUTH_URL = "http://127.0.0.1:5999/identity/v3"


def test_reads_a_live_cloud_through_openstacksdk(requests_mock):
    """A real openstacksdk Connection against Keystone answers served by requests-mock."""
    import openstack

    catalog_entry = {
        "type": "identity",
        "id": "s1",
        "endpoints": [
            {"interface": "public", "region_id": "CloudOne", "url": AUTH_URL, "id": "e0"}
        ],
    }
    requests_mock.get(
        AUTH_URL,
        json={
            "version": {
                "id": "v3.14",
                "status": "stable",
                "links": [{"rel": "self", "href": f"{AUTH_URL}/"}],
            }
        },
    )
    requests_mock.post(
        f"{AUTH_URL}/auth/tokens",
        status_code=201,
        headers={"X-Subject-Token": "tok"},
        json={"token": {"catalog": [catalog_entry], "expires_at": "2099-01-01T00:00:00Z"}},
    )
    requests_mock.get(
        f"{AUTH_URL}/services",
        json={"services": [{"id": "s1", "type": "identity"}, {"id": "s2", "type": "image"}]},
    )
    requests_mock.get(
        f"{AUTH_URL}/endpoints",
        json={
            "endpoints": [
                {
                    "id": "e1",
                    "service_id": "s2",
                    "region_id": "CloudOne",
                    "interface": "public",
                    "url": "http://127.0.0.1/image",
                    "enabled": True,
                },
                {
                    "id": "e2",
                    "service_id": "s1",
                    "region_id": "CloudOne",
                    "interface": "public",
                    "url": AUTH_URL,
                    "enabled": False,
                },
            ]
        },
    )

    def connect(cloud):
        return openstack.connection.Connection(
            auth={
                "auth_url": AUTH_URL,
                "username": "u",
                "password": "p",
                "project_name": "p",
                "user_domain_id": "default",
                "project_domain_id": "default",
            },
            region_name="CloudOne",
        )

    assert catalog.read_cloud("CloudOne", connect=connect) == [
        catalog.Endpoint("CloudOne", "image", "public", "http://127.0.0.1/image")
    ]


def test_unreachable_cloud_is_one_clear_error():
    def connect(cloud):
        raise RuntimeError("Connection refused")

    with pytest.raises(catalog.CatalogError, match="cloud Gone: cannot read .*refused"):
        catalog.read_cloud("Gone", connect=connect)
