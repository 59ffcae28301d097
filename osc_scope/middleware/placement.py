"""Placement with the scope-aware auth filter.

Placement has no paste pipeline: ``placement.deploy`` calls
``placement.auth.filter_factory`` in code, and its ``PlacementAuthProtocol``
(an ``AuthProtocol`` subclass) lets ``/`` through without a token. So the
scope logic is mixed into that class and the factory swapped at start-up, in
this process only; no installed file is edited. Serve
``osc_scope.middleware.placement:application`` instead of
``placement.wsgi.api:application`` (same ``OS_PLACEMENT_CONFIG_DIR``).
"""

from placement import auth as placement_auth

from osc_scope.middleware.auth_token import ScopeAwareMixin, make_filter_factory


class ScopedPlacementAuthProtocol(ScopeAwareMixin, placement_auth.PlacementAuthProtocol):
    """Placement's auth filter (``/`` unauthenticated), validating with the scope's cloud."""


def install():
    """Make ``placement.deploy`` build the scope-aware filter."""
    placement_auth.filter_factory = make_filter_factory(ScopedPlacementAuthProtocol)


def __getattr__(name):
    # The WSGI application is built on first access only, so that importing this
    # module (tests, install()) needs no placement configuration.
    if name == "application":
        install()
        from placement.wsgi import api

        return api.application
    raise AttributeError(name)
