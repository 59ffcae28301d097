"""Placement's own auth filter, with the scope logic mixed in.

Placement has no paste pipeline: ``placement.deploy`` calls
``placement.auth.filter_factory`` in code, and its ``PlacementAuthProtocol``
(an ``AuthProtocol`` subclass) lets ``/`` through without a token. So the
scope logic is mixed into that class and ``install()`` swaps the factory, in
this process only; no installed file is edited. The WSGI application built
that way is ``osc_scope.middleware.placement:application``.
"""

from placement import auth as placement_auth

from osc_scope.middleware.auth_token import ScopeAwareMixin, make_filter_factory


class ScopedPlacementAuthProtocol(ScopeAwareMixin, placement_auth.PlacementAuthProtocol):
    """Placement's auth filter (``/`` unauthenticated), validating with the scope's cloud."""


def install():
    """Make ``placement.deploy`` build the scope-aware filter."""
    placement_auth.filter_factory = make_filter_factory(ScopedPlacementAuthProtocol)
