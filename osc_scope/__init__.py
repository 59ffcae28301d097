"""osc-scope: route each OpenStack request to the cloud its scope names.

The flow, in the order a request meets it:

* ``osc_scope.scope``      -- the scope language: parse, complete, wire form.
* ``osc_scope.cli``        -- the OpenStackClient plugin (``--os-scope``) and token hook.
* ``osc_scope.sdk``        -- the same hook for openstacksdk users (``connect``).
* ``osc_scope.routing``    -- catalogs -> routing table -> haproxy.cfg + Lua table.
* ``osc_scope.middleware`` -- scope-aware keystonemiddleware for the services.
* ``osc_scope.lab``        -- the local two-cloud lab on real OpenStack services.
"""

__version__ = "0.1.0"  # setup.cfg reads it; CHANGELOG.md says what each version brought


def connect(cloud=None, scope=None, **kwargs):
    """Return an openstacksdk Connection that sends ``scope`` on every request."""
    from osc_scope.sdk import connect as _connect

    return _connect(cloud=cloud, scope=scope, **kwargs)
