"""playbooks/filter_plugins/os_scope.py: catalog rows -> backends, table -> service settings."""

import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).parents[3]
PLUGIN = ROOT / "playbooks" / "filter_plugins" / "os_scope.py"


@pytest.fixture(scope="module")
def filters():
    spec = importlib.util.spec_from_file_location("os_scope_filters", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table():
    return json.loads((ROOT / "tests" / "vectors" / "routing_table.json").read_text())


ROWS = [
    {"Region": "CloudOne", "Service Type": "image", "Interface": "public",
     "URL": "http://10.0.0.11/image", "Enabled": True},
    {"Region": "CloudOne", "Service Type": "network", "Interface": "public",
     "URL": "http://10.0.0.11:9696/", "Enabled": True},
    {"Region": "CloudOne", "Service Type": "compute", "Interface": "public",
     "URL": "https://10.0.0.11/compute/v2.1", "Enabled": False},
    {"Region": "CloudTwo", "Service Type": "image", "Interface": "public",
     "URL": "http://10.0.0.12/image", "Enabled": True},
]  # fmt: skip


def _backends(filters, *args):
    return filters.os_scope_plan(*args)["backends"]


def test_backends_keep_the_port_on_the_backend_host(filters):
    assert _backends(filters, ROWS, "CloudOne") == {
        "http://10.0.0.11/image": ["127.0.0.1:80"],
        "http://10.0.0.11:9696/": ["127.0.0.1:9696"],
    }


def test_backend_map_wins(filters):
    backends = _backends(filters, ROWS, "CloudOne", "127.0.0.1", {"10.0.0.11:80": "10.1.0.5:8080"})
    assert backends["http://10.0.0.11/image"] == ["10.1.0.5:8080"]
    assert backends["http://10.0.0.11:9696/"] == ["127.0.0.1:9696"]


def test_keystone_api_names_work_too(filters):
    rows = [{"region_id": "R", "url": "https://h.example:8443/x", "enabled": True}]
    assert _backends(filters, rows, "R") == {"https://h.example:8443/x": ["127.0.0.1:8443"]}


def test_service_settings(filters, table):
    nova = {"name": "nova", "overrides": {"glance": "image", "neutron": "network"}}
    settings = filters.os_scope_service_settings(table, "CloudOne", nova, "pw")
    assert settings["scoped_authtoken"] == {"local_cloud": "CloudOne", "remote_clouds": "CloudTwo"}
    remote = settings["keystone_authtoken:CloudTwo"]
    assert remote["auth_url"] == "http://127.0.0.2/identity"
    assert (remote["username"], remote["password"], remote["region_name"]) == (
        "nova",
        "pw",
        "CloudTwo",
    )
    assert settings["glance"] == {"endpoint_override": "http://127.0.0.1/image"}
    assert settings["neutron"] == {"endpoint_override": "http://127.0.0.1:9696/"}
    assert "keystone_authtoken:CloudOne" not in settings


def test_frontend_map_moves_the_catalog_once(filters):
    rows = [dict(ROWS[0], ID="e1"), dict(ROWS[1], ID="e2")]
    frontend_map = {"10.0.0.11:80": "10.0.0.11:8080"}
    plan = filters.os_scope_plan(rows, "CloudOne", frontend_map=frontend_map)
    assert plan["updates"] == [
        {
            "id": "e1",
            "interface": "public",
            "service_type": "image",
            "old": "http://10.0.0.11/image",
            "url": "http://10.0.0.11:8080/image",
        }
    ]
    assert plan["backends"] == {
        "http://10.0.0.11:8080/image": ["10.0.0.11:80"],
        "http://10.0.0.11:9696/": ["127.0.0.1:9696"],
    }
    assert plan["rows"][0]["URL"] == "http://10.0.0.11:8080/image"
    assert rows[0]["URL"] == "http://10.0.0.11/image"  # the input is left alone
    again = filters.os_scope_plan(plan["rows"], "CloudOne", frontend_map=frontend_map)
    assert again["updates"] == []
    assert again["backends"] == plan["backends"]


def test_rows_without_url_are_left_to_the_table_builder(filters):
    plan = filters.os_scope_plan([{"Region": "CloudOne"}], "CloudOne")
    assert plan == {"rows": [{"Region": "CloudOne"}], "backends": {}, "updates": []}


def test_local_keystone_authtoken_uses_the_frontend(filters, table):
    settings = filters.os_scope_service_settings(table, "CloudTwo", {"name": "glance"}, "pw")
    assert settings["keystone_authtoken"] == {
        "www_authenticate_uri": "http://127.0.0.2/identity",
        "auth_url": "http://127.0.0.2/identity",
    }


def test_backends_per_endpoint_are_used_as_given(filters):
    backends = {"http://10.0.0.11/image": ["127.0.0.1:9293"], "http://10.0.0.11:9696/": "h:1"}
    plan = filters.os_scope_plan(
        ROWS, "CloudOne", "10.9.9.9", {"10.0.0.11:80": "10.1.0.5:8080"}, backends=backends
    )
    assert plan == {
        "rows": ROWS,
        "backends": {
            "http://10.0.0.11/image": ["127.0.0.1:9293"],
            "http://10.0.0.11:9696/": ["h:1"],
        },
        "updates": [],
    }


def test_empty_backends_fall_back_to_the_maps(filters):
    plan = filters.os_scope_plan(ROWS, "CloudOne", backends={})
    assert plan["backends"]["http://10.0.0.11/image"] == ["127.0.0.1:80"]


def test_trust_options_are_the_middlewares(filters):
    from osc_scope.middleware import opts

    assert filters.TRUST_OPTIONS == tuple(opt.dest for opt in opts.TRUST_OPTS)


def _cloudtwo_section(filters, table, accounts=None, trust=None):
    """CloudOne's Nova's [keystone_authtoken:CloudTwo] settings."""
    settings = filters.os_scope_service_settings(
        table, "CloudOne", {"name": "nova"}, "shared", accounts, trust
    )
    return settings["keystone_authtoken:CloudTwo"]


def test_remote_account_per_cloud_with_its_own_ca(filters, table):
    accounts = {
        "CloudTwo": {
            "username": "cloudone-services",
            "password": "pw-in-two",
            "project_name": "svc",
            "cafile": "/controller/ca/two.pem",
        }
    }
    remote = _cloudtwo_section(filters, table, accounts)
    assert list(remote)[:2] == ["auth_type", "auth_url"]
    assert remote["auth_type"] == "password"
    assert (remote["username"], remote["password"], remote["project_name"]) == (
        "cloudone-services",
        "pw-in-two",
        "svc",
    )
    assert remote["cafile"] == "/etc/osc-scope/ca/CloudTwo.pem"
    assert remote["insecure"] is None  # removed unless asked for
    assert "user_domain_name" not in remote  # only what the account says
    assert filters.os_scope_ca_files(accounts, "/etc/x") == [
        {"cloud": "CloudTwo", "src": "/controller/ca/two.pem", "dest": "/etc/x/CloudTwo.pem"}
    ]


def test_insecure_only_when_true_and_application_credentials(filters, table):
    accounts = {
        "CloudTwo": {
            "auth_type": "v3applicationcredential",
            "application_credential_id": "ac",
            "application_credential_secret": "s",
            "insecure": True,
        }
    }
    remote = _cloudtwo_section(filters, table, accounts)
    assert remote["auth_type"] == "v3applicationcredential"
    assert remote["insecure"] is True and remote["cafile"] is None
    assert "password" not in remote
    accounts["CloudTwo"]["insecure"] = "yes"  # not the boolean true: not insecure
    remote = _cloudtwo_section(filters, table, accounts)
    assert remote["insecure"] is None


def test_trust_policy_written_and_defaults_removed(filters, table):
    trust = {"CloudTwo": {"role_mapping": {"admin": "member"}, "accepted_domains": ["Default"]}}
    remote = _cloudtwo_section(filters, table, trust=trust)
    assert remote["role_mapping"] == "admin:member"
    assert remote["accepted_domains"] == ["Default"]
    assert remote["honoured_roles"] is None and remote["accept_service_tokens"] is None


@pytest.mark.parametrize(
    "accounts, trust, message",
    [
        (
            {"CloudTwo": {"pasword": "x"}},
            None,
            "os_scope_remote_accounts of CloudTwo: unknown option",
        ),
        (None, {"CloudTwo": {"admin_is_admin": True}}, "unknown option\\(s\\) admin_is_admin"),
        ({"CloudNine": {}}, None, "CloudNine, not another cloud"),
    ],
)
def test_bad_accounts_or_trust_are_named_without_values(filters, table, accounts, trust, message):
    with pytest.raises(ValueError, match=message) as error:
        filters.os_scope_service_settings(table, "CloudOne", {"name": "n"}, "pw", accounts, trust)
    assert "'x'" not in str(error.value)
