"""keystonemiddleware's auth_token, validating each token with its scope's identity cloud.

A request's scope comes from the ``!SCOPE!`` suffix of ``X-Auth-Token`` or, when
the token has none, from ``X-Scope``. Its ``identity`` names the cloud whose
Keystone issued the token: no scope, or no ``identity`` in it, means the local
cloud ([keystone_authtoken], as plain keystonemiddleware). A failover ``A|B``
tries the configured clouds in order, skipping one that is down or does not
know the token; a fan-out ``A&B`` means nothing for identity and is refused.

Only the bare token is sent to Keystone and used as cache key (with the cloud
name); the request's ``X-Auth-Token`` is left as received, token and scope, and
so is the token in ``keystone.token_auth``, so the calls the service makes with
the user's token (Nova to Glance, Neutron, Placement) carry the scope on.

A remote cloud's token then passes that cloud's trust policy (``trust``): its
admin and every role not honoured are dropped before the service sees it, and a
token left with no role is refused with 403. ``X-Identity-Cloud`` (and
``X-Service-Identity-Cloud``) tell the service which cloud issued the tokens;
copies sent by the client are removed, as keystonemiddleware removes ``X-Roles``.

Errors: a malformed scope is a client error, 400 with OpenStack's JSON error
body (HAProxy refuses the same scopes with 400 first); a token whose identity
cloud this service is not configured for, or a fan-out, is 401 naming it (like
Heat's ``allowed_auth_uris``), and Keystone unreachable is 503 naming the cloud,
both even with ``delay_auth_decision``.
"""

import contextvars
import dataclasses
import hashlib
import json

import webob.exc
from keystoneauth1 import exceptions as ksa_exceptions
from keystonemiddleware import auth_token

from osc_scope import scope as scope_api
from osc_scope.middleware import catalog, clouds, ksm_internals, opts, trust
from osc_scope.scope import names

_ROUTE = contextvars.ContextVar("osc_scope_identity_route", default=None)


def token_hash(token):
    """A short, non-reversible name for a token, for log lines."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:10]


@dataclasses.dataclass(frozen=True)
class Route:
    """Where the tokens of one request are validated."""

    clouds: tuple  # configured identity clouds, in failover order
    refusal: str | None = None  # why the request's identity cloud is refused
    service_token: str | None = None
    environ: dict | None = None
    # "user" / "service" -> the cloud that validated that token, filled in as it happens
    origins: dict = dataclasses.field(default_factory=dict)


class _Refused(Exception):
    """The scope names an identity this service will not validate."""


def _json_error(exc_class, message, headers=()):
    body = {"error": {"code": exc_class.code, "title": exc_class.title, "message": message}}
    return exc_class(
        body=json.dumps(body),
        headers=list(headers),
        charset="UTF-8",
        content_type="application/json",
    )


# the headers naming the cloud that issued each token: (token kind, header)
_ORIGIN_HEADERS = (
    ("user", names.IDENTITY_CLOUD_HEADER),
    ("service", names.SERVICE_IDENTITY_CLOUD_HEADER),
)
# keystonemiddleware's verdict on each token (client copies are removed before it runs)
_STATUS_HEADERS = {"user": "X-Identity-Status", "service": "X-Service-Identity-Status"}


def request_scope(request):
    """The scope text of a request (token suffix first, then ``X-Scope``), or None."""
    header = request.user_token
    if header:
        _, text = scope_api.split_token(header)
        if text is not None:
            return text
    return request.headers.get(scope_api.SCOPE_HEADER) or None


def failover_clouds(expression):
    """The clouds of a parsed identity expression, in failover order.

    A fan-out (``&`` anywhere) has no meaning for the one cloud that issued a token.
    """
    options = expression.options if isinstance(expression, scope_api.Failover) else (expression,)
    if not all(isinstance(option, scope_api.Cloud) for option in options):
        raise _Refused(
            f"identity cannot be a fan-out ('{expression}'): a token comes from one "
            "cloud; name one cloud, or a failover such as A|B"
        )
    return [option.name for option in options]


class ScopeAwareMixin:
    """The scope logic, mixable into any ``AuthProtocol`` subclass (e.g. Placement's)."""

    def __init__(self, app, conf):
        conf = dict(conf)
        own = {name: conf.pop(name) for name in opts.NAMES if name in conf}
        super().__init__(app, conf)
        ksm_internals.check(self)
        oslo_conf = ksm_internals.oslo_conf(self)
        options = opts.load(oslo_conf, own)
        self._local_cloud = options["local_cloud"] or ksm_internals.option(self, "region_name")
        if not self._local_cloud:
            self.log.warning(
                "scoped_authtoken: neither [scoped_authtoken] local_cloud nor "
                "[keystone_authtoken] region_name is set; scopes naming an identity "
                "cloud will only be accepted for remote_clouds"
            )
        self._local_catalog = options["local_catalog"]
        self._remote = {
            cloud: clouds.remote_validator(oslo_conf, cloud)
            for cloud in options["remote_clouds"]
            if cloud != self._local_cloud
        }
        self._trust = {cloud: self._load_policy(oslo_conf, cloud) for cloud in self._remote}
        ksm_internals.replace_token_cache(
            self, lambda cache: clouds.CloudKeyedCache(cache, self._local_cloud or "")
        )
        self.log.info(
            "scoped_authtoken: local cloud %s, remote identity clouds: %s",
            self._local_cloud,
            ", ".join(sorted(self._remote)) or "none",
        )
        for cloud in sorted(self._trust):
            self.log.info("scoped_authtoken: trust of %s", self._trust[cloud].describe())

    def _load_policy(self, oslo_conf, cloud):
        section = clouds.section_name(cloud)
        try:
            return trust.Policy.from_options(
                cloud,
                section,
                opts.load_trust(oslo_conf, section),
                service_roles=ksm_internals.option(self, "service_token_roles"),
            )
        except ValueError as exc:
            raise auth_token.ConfigurationError(str(exc)) from None

    # -- per request ---------------------------------------------------------

    def process_request(self, request):
        for _, header in _ORIGIN_HEADERS:  # only this filter says where a token came from
            request.headers.pop(header, None)
        try:
            route = self._route(request)
        except scope_api.ScopeError as exc:
            self.log.info("scoped_authtoken: malformed scope refused: %s", exc)
            raise _json_error(webob.exc.HTTPBadRequest, f"Invalid scope: {exc}") from None
        if route.refusal and request.user_token:
            # Refused even with delay_auth_decision (Glance's default): the token
            # is there and cannot be accepted, and the message says why.
            self.log.info("scoped_authtoken: %s", route.refusal)
            raise _json_error(
                webob.exc.HTTPUnauthorized,
                route.refusal,
                ksm_internals.reject_auth_headers(self),
            )
        reset = _ROUTE.set(route)
        try:
            response = super().process_request(request)
        finally:
            _ROUTE.reset(reset)
        for kind, header in _ORIGIN_HEADERS:
            if (
                route.origins.get(kind)
                and request.headers.get(_STATUS_HEADERS[kind]) == "Confirmed"
            ):
                request.headers[header] = route.origins[kind]
        return response

    def _route(self, request):
        """Read the request's scope and decide which clouds validate its tokens."""
        service_token = request.service_token
        common = {
            "service_token": service_token.strip() if service_token else None,
            "environ": request.environ,
        }
        text = request_scope(request)
        expression = scope_api.parse(text).expression("identity") if text else None
        if expression is None:
            return Route(clouds=(self._local_cloud,), **common)
        try:
            named = failover_clouds(expression)
        except _Refused as exc:
            return Route(clouds=(), refusal=str(exc), **common)
        known = tuple(c for c in named if c == self._local_cloud or c in self._remote)
        if not known:
            return Route(
                clouds=(),
                refusal=f"identity cloud {' or '.join(named)} is not configured on this "
                "service ([scoped_authtoken] remote_clouds); tokens of that cloud are not "
                "accepted here",
                **common,
            )
        return Route(clouds=known, **common)

    # -- per token -----------------------------------------------------------

    def fetch_token(self, token, **kwargs):
        """Validate the bare token with the route's clouds, first success wins."""
        bare, _ = scope_api.split_token(token)
        route = _ROUTE.get() or Route(clouds=(self._local_cloud,))
        if route.refusal:
            raise auth_token.InvalidToken(route.refusal)
        candidates = list(route.clouds)
        service = token == route.service_token
        if service and self._local_cloud not in candidates:
            # A service token comes from the calling service's cloud: the scope's
            # identity cloud when it calls across clouds, else this one.
            candidates.append(self._local_cloud)
        down = []
        refused = None
        for cloud in candidates:
            self.log.debug(
                "scoped_authtoken: validating token %s with cloud %s", token_hash(bare), cloud
            )
            try:
                data = self._fetch_from(cloud, bare, route, service, **kwargs)
            except webob.exc.HTTPServiceUnavailable:
                down.append(cloud)
            except auth_token.InvalidToken as exc:
                refused = exc
            else:
                route.origins["service" if service else "user"] = cloud
                return data
        if refused is not None or not down:
            raise refused or auth_token.InvalidToken("Token authorization failed")
        # Even with delay_auth_decision (Glance's default): a token whose Keystone cannot be
        # reached is not a bad token; a 401 would send the user to log in again, when the
        # answer is that this cloud is down (what the chaos suite checks).
        raise _json_error(
            webob.exc.HTTPServiceUnavailable,
            f"The Keystone service of {' and '.join(down)} is temporarily unavailable.",
        )

    def _fetch_from(self, cloud, bare, route, service, **kwargs):
        if cloud == self._local_cloud:
            return super().fetch_token(bare, **kwargs)
        validator = self._remote[cloud]
        if route.environ is not None:
            ksm_internals.token_cache(validator).initialize(route.environ)
        # cached as Keystone answered: the policy below applies to every request
        data = self._trusted(cloud, validator.fetch_token(bare, **kwargs), service)
        if self._local_catalog:
            data = catalog.with_local_catalog(data, self._own_catalog())
        return data

    def _trusted(self, cloud, data, service):
        """``data`` with the roles ``cloud``'s trust policy lets through; 403 if none."""
        try:
            verdict = self._trust[cloud].apply(data, service=service)
        except trust.Refused as exc:
            trust.audit(cloud, data, dropped=exc.dropped, service=service, refused=str(exc))
            raise _json_error(webob.exc.HTTPForbidden, str(exc)) from None
        trust.audit(cloud, data, verdict.kept, verdict.dropped, service=service)
        return verdict.data

    def _own_catalog(self):
        """The local catalog, as this service's user sees it (cached by keystoneauth)."""
        auth, session = ksm_internals.service_auth(self)
        if auth is None:
            return []
        try:
            access = auth.get_access(session)
        except ksa_exceptions.ClientException as exc:
            self.log.warning("scoped_authtoken: local catalog unavailable: %s", exc)
            return []
        return access.service_catalog.catalog if access.has_service_catalog() else []


class ScopedAuthProtocol(ScopeAwareMixin, auth_token.AuthProtocol):
    """keystonemiddleware's ``AuthProtocol``, validating with the scope's identity cloud."""


def make_filter_factory(protocol_class):
    """A paste filter factory (keystonemiddleware's signature) building ``protocol_class``."""

    def factory(global_conf, **local_conf):
        conf = global_conf.copy()
        conf.update(local_conf)

        def auth_filter(app):
            return protocol_class(app, conf)

        return auth_filter

    return factory


filter_factory = make_filter_factory(ScopedAuthProtocol)
filter_factory.__doc__ = (
    "Paste filter factory, same signature and options as keystonemiddleware's."
)
