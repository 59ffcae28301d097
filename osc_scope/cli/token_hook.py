"""Put the scope on the requests of one keystoneauth session, and only that session.

keystoneauth sets ``X-Auth-Token`` itself on every request (a caller's header cannot
replace it), so the scope is added one step later: a ``requests.auth.AuthBase`` set on the
session's own ``requests.Session`` sees each prepared request just before it is sent.
Nothing process-global is patched; a session without a scope is never touched.

* a request carrying a token: ``X-Auth-Token: <token>!SCOPE!<json>`` and ``X-Scope``;
  the scope is complete for every service type of the catalog once it is known;
* ``POST .../v3/auth/tokens`` (and the federation ``.../protocols/<p>/auth``):
  ``X-Scope`` only, the named services plus ``identity``, so an identity scope reaches
  the right Keystone;
* a request without a token to the cloud (scheme://host:port of the auth URL or of any
  endpoint of the token's catalog, whatever its interface or region), such as
  keystoneauth's version discovery: ``X-Scope``, the value a token-carrying request would
  get, so the router sends it where the real call will go. Before the token exists that is
  the token request's value (the catalog's services are not known yet, and the identity
  discovery must reach the Keystone the token request will reach);
* anything else (other hosts), bodies, and ``X-Subject-Token``: untouched.

The answers of scoped requests are watched for ``X-Scope-Partial`` (``cli.partial``): a
fan-out that is missing a cloud says so on stderr.
"""

import logging
import re
import urllib.parse

import requests.auth
import requests.utils

from osc_scope.cli.partial import PartialReporter
from osc_scope.origin import origin
from osc_scope.scope import SCOPE_HEADER, TOKEN_HEADER, TOKEN_SEPARATOR, ScopeError, join_token
from osc_scope.scope.expression import check_cloud_name

LOG = logging.getLogger(__name__)
IDENTITY = "identity"


class ScopeBinding:
    """One session's scope, completed with the local cloud and the catalog's services."""

    def __init__(self, scope, local_cloud, ksa_session):
        self.scope = scope
        try:
            self.local_cloud = check_cloud_name(local_cloud) if local_cloud else None
        except ScopeError as exc:
            exc.source = "region name (the local cloud of the scope)"
            raise
        self._session = ksa_session
        self._cached_for = self._cached_wire = self._cached_origins = None

    def for_token_request(self):
        local = self.local_cloud
        scope = self.scope.complete(local, [IDENTITY]) if local else self.scope
        return scope.to_wire()

    def for_service_request(self):
        """The scope of requests to the cloud: complete once the token's catalog is known,
        before that the token request's (the local cloud for ``identity`` only)."""
        self._refresh()
        return self._cached_wire

    def is_cloud(self, url):
        """Whether ``url`` goes to the cloud: the auth URL's or a catalog endpoint's
        scheme://host:port (any interface, any region)."""
        self._refresh()
        return _origin(url) in self._cached_origins

    def _refresh(self):
        auth = getattr(self._session, "auth", None)
        access = getattr(auth, "auth_ref", None)
        auth_url = getattr(auth, "auth_url", None)
        key = (access, auth_url)
        cached = self._cached_for
        if cached is not None and cached[0] is access and cached[1] == auth_url:
            return
        service_types, regions, urls = _catalog(access)
        self._cached_wire = self._complete(service_types, regions)
        origins = (_origin(url) for url in (auth_url, *urls))
        self._cached_origins = frozenset(origin for origin in origins if origin)
        self._cached_for = key

    def _complete(self, service_types, regions):
        local = self.local_cloud
        if not local and len(regions) == 1:
            local = regions.pop()
            try:
                check_cloud_name(local)
            except ScopeError:
                local = None
        if not local:
            LOG.debug("scope: no local cloud known, sending the scope as given")
            return self.scope.to_wire()
        wire = self.scope.complete(local, [IDENTITY, *service_types]).to_wire()
        LOG.debug("scope: completed with local cloud %s: %s", local, wire)
        return wire


def _catalog(access):
    """Service types, regions and endpoint URLs of the token's catalog (empty before the
    token)."""
    types, regions, urls = [], set(), []
    try:
        catalog = access.service_catalog.catalog if access is not None else []
    except AttributeError:
        catalog = []
    for service in catalog or []:
        if service.get("type"):
            types.append(service["type"])
        for endpoint in service.get("endpoints") or []:
            region = endpoint.get("region_id") or endpoint.get("region")
            if region:
                regions.add(region)
            # v3 catalogs say ``url``; v2-style ones (still parsed by keystoneauth) say
            # ``publicURL``, ``internalURL``, ``adminURL``.
            urls.extend(endpoint.get(name) for name in _URL_KEYS)
    return types, regions, urls


_URL_KEYS = ("url", "publicURL", "internalURL", "adminURL")


def _origin(url):
    """``scheme://host:port`` of an http(s) URL, else None."""
    if not isinstance(url, str):
        return None
    try:
        return origin(url)
    except ValueError:  # not http(s), a port that is no number, a bad IPv6 literal
        return None


def _is_token_request(request):
    """A request that asks Keystone for a token: it gets ``X-Scope`` only, and a token it
    may carry (re-scoping, federation) stays bare, as Keystone expects it."""
    if request.method != "POST":
        return False
    path = urllib.parse.urlsplit(request.url).path.rstrip("/")
    return path.endswith("/v3/auth/tokens") or bool(_FEDERATION_AUTH.search(path))


_FEDERATION_AUTH = re.compile(r"/v3/OS-FEDERATION/identity_providers/[^/]+/protocols/[^/]+/auth$")


class ScopeAuth(requests.auth.AuthBase):
    """The per-session hook; keeps whatever ``requests`` would have done without it."""

    def __init__(self, binding, previous=None, use_netrc=False):
        self.binding = binding
        self.previous = previous
        self.use_netrc = use_netrc
        self.report_partial = PartialReporter()

    def __call__(self, request):
        if self.previous is not None:
            request = self.previous(request)
        elif self.use_netrc:
            # requests reads ~/.netrc only when no session auth is set: keep doing that.
            netrc = requests.utils.get_netrc_auth(request.url)
            if netrc:
                request = requests.auth.HTTPBasicAuth(*netrc)(request)
        if _is_token_request(request):
            request.headers[SCOPE_HEADER] = self.binding.for_token_request()
            return request
        token = request.headers.get(TOKEN_HEADER)
        if token is None:
            if self.binding.is_cloud(request.url):
                # Version discovery and the like: routed like the calls they come before.
                request.headers[SCOPE_HEADER] = self.binding.for_service_request()
                request.register_hook("response", report_router_error)
        elif token and TOKEN_SEPARATOR not in token:
            wire = self.binding.for_service_request()
            request.headers[TOKEN_HEADER] = join_token(token, wire)
            request.headers[SCOPE_HEADER] = wire
            request.register_hook("response", self.report_partial)
        return request


class RouterRefusal(Exception):
    """A scope router refused a request of the CLI's own discovery: the one line shown."""


# what a router says about the scope itself (malformed, unknown cloud, cloud down, fan-out,
# loop); a 404 may be keystoneauth probing another discovery URL, and is left to it
REFUSED_STATUSES = (400, 501, 503, 508)


def report_router_error(response, *args, **kwargs):
    """Stop the command with the router's reason when it refused a discovery request.

    keystoneauth turns a failed discovery into "Failed to contact the endpoint ... for
    discovery" and "... exists but does not have any supported versions", which hide the
    router's reason (``unknown cloud 'CloudThree' ...``). Raising here, outside
    keystoneauth's own exceptions, ends the command with that reason alone: ``openstack``
    prints it as one line and exits with status 1. Only an OpenStack-style JSON error body
    is read; nothing else of the response is shown."""
    if response.status_code not in REFUSED_STATUSES:
        return response
    try:
        error = response.json()["error"]
        reason = f"{int(error['code'])} {error['title']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return response
    reason = " ".join(reason.split())[:500]
    raise RouterRefusal(f"scope router at {_origin(response.url) or '?'} refused: {reason}")


def install(ksa_session, scope, local_cloud):
    """Send ``scope`` on every request of ``ksa_session`` (idempotent: last call wins)."""
    binding = ScopeBinding(scope, local_cloud, ksa_session)
    http = ksa_session.session
    if isinstance(http.auth, ScopeAuth):
        http.auth.binding = binding
    else:
        http.auth = ScopeAuth(binding, previous=http.auth, use_netrc=http.trust_env)
    LOG.debug("scope %s, local cloud %s", scope.to_wire(), local_cloud or "from the catalog")
    return binding
