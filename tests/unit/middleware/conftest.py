"""Fake Keystones (requests-mock) and a service config for the middleware tests."""

import re
import textwrap
import uuid

import pytest
import requests
import requests_mock
import webob
import webob.dec
from keystoneauth1 import fixture
from oslo_config import cfg

from osc_scope.middleware import auth_token

SERVICE_CONF = """
[keystone_authtoken]
auth_type = password
auth_url = {one}/v3
www_authenticate_uri = {one}
username = glance
password = secret-of-cloudone
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = CloudOne
interface = public
http_request_max_retries = 0

[scoped_authtoken]
remote_clouds = CloudTwo

[keystone_authtoken:CloudTwo]
auth_type = password
auth_url = {two}/v3
username = glance-two
password = secret-of-cloudtwo
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = CloudTwo
interface = public
http_request_max_retries = 0
"""


class FakeKeystone:
    """One cloud's Keystone API on requests-mock: discovery, auth, token validation."""

    def __init__(self, mocker, base, region):
        self.base = base
        self.region = region
        self.service_token = f"service-{region}-{uuid.uuid4().hex}"
        self.user_tokens = {}  # bare token -> user id
        self.token_specs = {}  # bare token -> V3Token keyword arguments and "roles"
        self.service_logins = []  # (username, password) of each service authentication
        self.validations = []  # (X-Subject-Token, X-Auth-Token) of each validation
        self.down = False
        # Registered first, so matched last: when down, every URL of this host fails.
        host = re.compile(re.escape(base.split("/identity")[0]) + "/")
        mocker.register_uri(requests_mock.ANY, host, json=self._unknown)
        for url in (base, f"{base}/v3"):
            mocker.get(url, json=self._discovery)
        mocker.post(f"{base}/v3/auth/tokens", json=self._login)
        mocker.get(f"{base}/v3/auth/tokens", json=self._validate)

    def catalog_token(self, user_id, roles=None, **scope):
        if not scope:
            scope = {"project_id": f"project-{self.region}", "project_domain_id": "default"}
        token = fixture.V3Token(user_id=user_id, **scope)
        if roles is None:
            roles = ["service" if user_id.startswith("nova") else "member"]
        for role in roles:
            token.add_role(name=role, id=f"{role}-id-{self.region}")
        service = token.add_service("identity")
        service.add_standard_endpoints(
            public=self.base, internal=self.base, admin=self.base, region=self.region
        )
        image = token.add_service("image")
        image.add_standard_endpoints(
            public=f"{self.base}/image", internal=f"{self.base}/image", region=self.region
        )
        return token

    def issue(self, user_id, roles=None, **scope):
        """A new token of ``user_id`` with ``roles`` (names), project- or domain-scoped
        (``V3Token`` keywords; default: project ``project-<region>`` of domain default)."""
        token = f"user-{self.region}-{uuid.uuid4().hex}"
        self.user_tokens[token] = user_id
        self.token_specs[token] = dict(scope, roles=roles)
        return token

    def _check_up(self):
        if self.down:
            raise requests.exceptions.ConnectionError(f"{self.region} is down")

    def _unknown(self, request, context):
        self._check_up()
        context.status_code = 404
        return {"error": {"code": 404}}

    def _discovery(self, request, context):
        self._check_up()
        if request.url.rstrip("/").endswith("/v3"):
            return fixture.V3Discovery(f"{self.base}/v3")
        discovery = fixture.DiscoveryList(href=self.base, v2=False)
        return discovery

    def _login(self, request, context):
        self._check_up()
        password = request.json()["auth"]["identity"]["password"]["user"]
        self.service_logins.append((password["name"], password["password"]))
        context.status_code = 201
        context.headers["X-Subject-Token"] = self.service_token
        return self.catalog_token(f"service-user-{self.region}")

    def _validate(self, request, context):
        self._check_up()
        subject = request.headers["X-Subject-Token"]
        self.validations.append((subject, request.headers["X-Auth-Token"]))
        if request.headers["X-Auth-Token"] != self.service_token:
            context.status_code = 401
            return {"error": {"code": 401}}
        if subject not in self.user_tokens:
            context.status_code = 404
            return {"error": {"code": 404, "message": "Could not find token"}}
        return self.catalog_token(self.user_tokens[subject], **self.token_specs.get(subject, {}))


@webob.dec.wsgify
def downstream(request):
    """The protected service: echoes what the middleware left for it."""
    keys = ("X-Auth-Token", "X-Identity-Status", "X-User-Id", "X-Project-Id", "X-Service-Catalog")
    keys += ("X-Roles", "X-Service-Roles", "X-Service-Identity-Status", "X-Is-Admin-Project")
    keys += ("X-Identity-Cloud", "X-Service-Identity-Cloud")
    seen = {key: request.headers.get(key) for key in keys}
    plugin = request.environ.get("keystone.token_auth")
    seen["token_auth"] = plugin.user.auth_token if plugin and plugin.user else None
    return webob.Response(json=seen)


@pytest.fixture
def clouds(requests_mock):
    return {
        "CloudOne": FakeKeystone(requests_mock, "http://127.0.0.1/identity", "CloudOne"),
        "CloudTwo": FakeKeystone(requests_mock, "http://127.0.0.2/identity", "CloudTwo"),
    }


@pytest.fixture
def make_app(tmp_path, clouds):
    """Build the filtered app from a service config (plus extra text), as a service does."""

    def make(extra="", factory=auth_token.filter_factory, **paste):
        path = tmp_path / "service.conf"
        body = SERVICE_CONF.format(one=clouds["CloudOne"].base, two=clouds["CloudTwo"].base)
        path.write_text(body + textwrap.dedent(extra))
        conf = cfg.ConfigOpts()
        conf([], project="service", default_config_files=[str(path)])
        return factory({}, oslo_config_config=conf, **paste)(downstream)

    return make
