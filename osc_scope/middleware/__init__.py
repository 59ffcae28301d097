"""Scope-aware Keystone token validation for OpenStack services.

`osc_scope.middleware.auth_token` is a drop-in for keystonemiddleware's
``auth_token`` paste filter: it validates the bare user token with the Keystone
of the scope's identity cloud and leaves ``X-Auth-Token`` (token plus scope)
untouched, so the scope travels on with every call the service makes.
"""
