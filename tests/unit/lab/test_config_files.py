"""Config writers: passwords kept private, shipped paste files pointed at the chosen filter."""

import base64
import hashlib
import json
import os
import stat
import sys

import pytest

from osc_scope.lab import common, credentials, ini, rabbitmq, uwsgi

VENV_ETC = os.path.join(os.path.dirname(os.path.dirname(sys.executable)), "etc")
USERS = ("glance", "nova")


def test_credentials_are_made_once_and_grow_with_clouds(tmp_path):
    path = tmp_path / "secrets.json"
    first = credentials.load(path, ["CloudOne", "CloudTwo"], USERS)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = credentials.load(path, ["CloudOne", "CloudTwo"], USERS)
    assert again.data == first.data
    assert first.service_password("CloudOne", "glance-CloudTwo")
    assert first.service_password("CloudOne", "glance") != first.service_password(
        "CloudTwo", "glance"
    )
    grown = credentials.load(path, ["CloudOne", "CloudTwo", "CloudThree"], USERS)
    assert grown.admin_password == first.admin_password
    assert grown.service_password("CloudThree", "nova-CloudOne")


def test_ini_writes_sections_and_lists_privately(tmp_path):
    path = ini.write(
        str(tmp_path / "a" / "x.conf"),
        {"DEFAULT": {"debug": False, "skip": None}, "s": {"l": ["a", "b"]}},
    )
    assert open(path).read() == "[DEFAULT]\ndebug = false\n\n[s]\nl = a,b\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_rabbitmq_password_hash_is_salted_sha256():
    raw = base64.b64decode(rabbitmq._password_hash("secret"))
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b"secret").digest()


@pytest.mark.parametrize(
    "shipped",
    ["glance/glance-api-paste.ini", "nova/api-paste.ini", "neutron/api-paste.ini"],
)
def test_paste_files_get_the_scope_aware_token_filter(tmp_path, shipped):
    source = os.path.join(VENV_ETC, shipped)
    if not os.path.exists(source):
        pytest.skip(f"{source}: the lab extra is not installed")
    target = common.copy_paste_ini(source, str(tmp_path / "p.ini"))
    text = open(target).read()
    assert f"paste.filter_factory = {common.SCOPED_AUTHTOKEN}" in text
    assert "keystonemiddleware.auth_token:filter_factory" not in text


def test_uwsgi_ini_mounts_the_catalog_path_and_closes_connections(tmp_path):
    path = uwsgi.write_ini(
        str(tmp_path / "u.ini"),
        address="127.0.0.2",
        port=9293,
        mount="/image",
        application="glance.wsgi.api:application",
        env={"OS_GLANCE_CONFIG_DIR": "/x"},
        uploads=True,
    )
    lines = open(path).read().splitlines()
    assert "http-socket = 127.0.0.2:9293" in lines
    assert f"mount = /image={tmp_path / 'wsgi.py'}" in lines
    assert (
        "from glance.wsgi.api import application as application"
        in open(tmp_path / "wsgi.py").read()
    )
    assert "add-header = Connection: close" in lines
    assert "http-chunked-input = true" in lines
    assert "env = OS_GLANCE_CONFIG_DIR=/x" in lines


def test_clouds_yaml_names_each_cloud_and_its_region(tmp_path):
    import yaml

    from osc_scope.lab import clouds_yaml, layout

    lab = layout.Lab(str(tmp_path), ("CloudOne", "CloudTwo"))
    creds = credentials.load(tmp_path / "s.json", lab.cloud_names, USERS)
    data = yaml.safe_load(open(clouds_yaml.write(lab, creds)))["clouds"]
    assert data["CloudTwo"]["region_name"] == "CloudTwo"
    assert data["CloudTwo"]["auth"]["auth_url"] == "http://127.0.0.2/identity"
    assert data["CloudOne-demo"]["auth"]["username"] == "demo"
    assert json.dumps(data)  # plain data only
