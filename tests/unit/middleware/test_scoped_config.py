"""Configuration: remote sections read by keystonemiddleware itself, paste loading."""

import pathlib

import pytest

from osc_scope.middleware import auth_token, ksm_internals

deploy = pytest.importorskip("paste.deploy")  # a dependency of the services, not ours

APP_CRED_SECTION = """
[keystone_authtoken:CloudThree]
auth_type = v3applicationcredential
auth_url = http://127.0.0.3/identity/v3
application_credential_id = glance-app-cred
application_credential_secret = secret-of-cloudthree
cafile = {cafile}
region_name = CloudThree
http_request_max_retries = 1
"""

PASTE_INI = """
[pipeline:main]
pipeline = authtoken echo

[filter:authtoken]
use = egg:osc-scope#scoped_authtoken
local_cloud = CloudOne
oslo_config_project = glance
oslo_config_file = {service_conf}

[app:echo]
paste.app_factory = {module}:echo_factory
"""


def echo_factory(global_conf, **local_conf):
    return lambda environ, start_response: []


def test_remote_section_options_are_keystonemiddlewares(make_app, tmp_path):
    cafile = tmp_path / "ca.pem"
    cafile.write_text("")
    app = make_app(APP_CRED_SECTION.format(cafile=cafile), remote_clouds="CloudTwo,CloudThree")
    three = app._remote["CloudThree"]
    auth, session = ksm_internals.service_auth(three)
    assert (type(auth).__name__, session.verify) == ("ApplicationCredential", str(cafile))
    assert ksm_internals.option(three, "region_name") == "CloudThree"
    assert ksm_internals.option(three, "http_request_max_retries") == 1  # typed by ksm
    auth, session = ksm_internals.service_auth(app._remote["CloudTwo"])
    assert (type(auth).__name__, session.verify) == ("Password", True)


def test_paste_pipeline_through_the_entry_point(tmp_path, clouds, monkeypatch):
    service_conf = tmp_path / "glance-api.conf"
    service_conf.write_text(
        f"[keystone_authtoken]\nauth_type = password\nauth_url = {clouds['CloudOne'].base}/v3\n"
        "username = glance\npassword = p\nregion_name = RegionX\n"
    )
    ini = tmp_path / "glance-api-paste.ini"
    ini.write_text(PASTE_INI.format(module=pathlib.Path(__file__).stem, service_conf=service_conf))
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parent))
    app = deploy.loadapp(f"config:{ini}", name="main")
    assert isinstance(app, auth_token.ScopedAuthProtocol)
    assert app._local_cloud == "CloudOne"  # paste value wins over region_name


def test_remote_cloud_without_section_is_a_configuration_error(make_app):
    with pytest.raises(auth_token.auth_token.ConfigurationError, match="CloudFour"):
        make_app(remote_clouds="CloudFour")
