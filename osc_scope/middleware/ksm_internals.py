"""keystonemiddleware's private attributes: read here, and nowhere else.

``AuthProtocol`` is built to be subclassed (``fetch_token``, ``process_request``) but keeps
what a scope-aware subclass also needs private: its typed options and the service's
``ConfigOpts``, its token cache, its keystoneauth plugin and session, and two settings of
the reply. Every read goes through this module, ``check`` runs on each ``AuthProtocol`` the
middleware builds (at service start-up), and setup.cfg pins the range these names were
checked in; tests/unit/middleware/test_ksm_internals.py fails on a release that moved them.
"""

from osc_scope.private_api import require

PACKAGE = "keystonemiddleware"
PROTOCOL_ATTRIBUTES = (
    "_conf",  # keystonemiddleware._common.config.Config: typed options + the ConfigOpts
    "_token_cache",  # validated tokens (initialize(environ), get, set)
    "_auth",  # the keystoneauth plugin of the service's own user (None without one)
    "_session",  # the keystoneauth session that plugin uses
    "_reject_auth_headers",  # WWW-Authenticate of a 401
)
CONF_ATTRIBUTES = ("oslo_conf_obj", "get")


def check(protocol):
    """Fail now, naming what moved, if ``protocol`` lacks an attribute used below."""
    require(protocol, PROTOCOL_ATTRIBUTES, PACKAGE)
    require(protocol._conf, CONF_ATTRIBUTES, PACKAGE)
    return protocol


def oslo_conf(protocol):
    """The ``ConfigOpts`` the middleware reads (the service's, or a ``SectionView``)."""
    return protocol._conf.oslo_conf_obj


def option(protocol, name):
    """A [keystone_authtoken] option (or its stand-in section), typed by keystonemiddleware."""
    return protocol._conf.get(name)


def token_cache(protocol):
    return protocol._token_cache


def replace_token_cache(protocol, wrap):
    """Replace the token cache with ``wrap(current cache)``."""
    protocol._token_cache = wrap(protocol._token_cache)


def service_auth(protocol):
    """``(auth plugin or None, session)`` of the service's own user."""
    return protocol._auth, protocol._session


def reject_auth_headers(protocol):
    """The headers of a 401 (``WWW-Authenticate`` naming the local Keystone)."""
    return protocol._reject_auth_headers
