"""Placement's API with the token filter the lab chose (plain or scope-aware).

Placement builds its middleware in code (``placement.deploy`` calls
``placement.auth.filter_factory``), not from a paste file, so the lab swaps that factory in
this process before the application is built.
"""

import importlib
import os

from placement import auth

_factory = os.environ.get("OSC_SCOPE_LAB_AUTHTOKEN", "")
if _factory.startswith("osc_scope."):
    _module, _name = _factory.split(":")
    _scoped = getattr(importlib.import_module(_module), _name)

    def _filter_factory(global_conf, **local_conf):
        conf = dict(global_conf, **local_conf)
        inner = _scoped({}, **conf)

        def auth_filter(app):
            return inner(app)

        return auth_filter

    auth.filter_factory = _filter_factory

from placement.wsgi.api import application  # noqa: E402,F401 - built with the factory above
