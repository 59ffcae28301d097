"""openstacksdk users: a ``Connection`` that sends a scope, like ``openstack --os-scope``.

Two ways in:

* ``osc_scope.connect(cloud="CloudOne", scope={"image": "CloudTwo"})`` (``scope`` may be
  JSON text, a mapping or a ``Scope``; ``OS_SCOPE``, ``OS_SCOPE_<SERVICE>`` and the cloud's
  clouds.yaml ``scope:`` are the weaker sources, as for the CLI);
* ``vendor_hook: osc_scope.sdk:vendor_hook`` in a cloud of clouds.yaml, next to a
  ``scope:`` mapping (a JSON string there would crash openstacksdk's loader before any
  hook runs), for code that calls ``openstack.connect()`` itself; ``OS_SCOPE`` and
  ``OS_SCOPE_<SERVICE>`` count too.

The local cloud (services the scope does not name) is the connection's region. When the
scope sends ``identity`` to one other cloud, the token's catalog is that cloud's: endpoints
are then looked up in its region (every router sends each request where the scope says,
whichever frontend it enters), while unnamed services stay bound to the local cloud.
"""

import importlib.metadata
import os

from osc_scope.cli import sources, token_hook
from osc_scope.cli.osc_plugin import CLI_VENDOR_HOOK
from osc_scope.cli.sdk_internals import clouds_yaml_entry
from osc_scope.scope import Scope
from osc_scope.scope.expression import Cloud

VENDOR_HOOK = "osc_scope.sdk:vendor_hook"


def _coerce(scope):
    if scope is None or isinstance(scope, Scope):
        return scope
    if isinstance(scope, (str, bytes)):
        return sources.from_option(scope, source="scope")
    return sources.from_config_value(scope, "scope")


def connect(cloud=None, scope=None, **kwargs):
    """Return an ``openstack.connection.Connection`` that sends the scope on every request."""
    import openstack

    setting = sources.ScopeSetting(sources.from_environ(os.environ))
    explicit = _coerce(scope)
    if explicit is not None:
        setting = setting.with_strongest("scope", explicit)
    # Passed as the config's ``scope``: the loader never sees a JSON string (see ScopeSetting).
    conn = openstack.connect(cloud=cloud, scope=setting, **kwargs)
    apply(conn)
    return conn


def apply(conn):
    """Install the scope of ``conn``'s config on its session; return the Scope or None."""
    scope = sources.resolve(conn.config, os.environ)
    if scope is None:
        return None
    local = conn.config.region_name or None
    token_hook.install(conn.session, scope, local)
    catalog_region = identity_region(scope, local)
    if catalog_region:
        conn.config.config["region_name"] = catalog_region
    return scope


def identity_region(scope, local_cloud):
    """The region to look endpoints up in when the catalog comes from another cloud's
    Keystone (``identity`` bound to one cloud that is not the local one), else None.

    With a failover (``A|B``) the answering cloud is not known in advance: keep the local
    region, and give ``--os-region-name`` if the catalog lacks it."""
    identity = scope.expression("identity")
    if isinstance(identity, Cloud) and local_cloud and identity.name != local_cloud:
        return identity.name
    return None


def vendor_hook(conn):
    """openstacksdk vendor hook (``vendor_hook: osc_scope.sdk:vendor_hook``)."""
    apply(conn)


def cli_vendor_hook(conn):
    """The hook the ``openstack`` plugin sets: runs the cloud's own vendor hook, if any,
    since the plugin's hook takes its place in the config, then installs the scope."""
    own = _own_vendor_hook(conn.config)
    if own and own not in (VENDOR_HOOK, CLI_VENDOR_HOOK):
        importlib.metadata.EntryPoint(name="vendor_hook", value=own, group="vendor_hook").load()(
            conn
        )
    apply(conn)


def _own_vendor_hook(cloud_region):
    """The vendor hook clouds.yaml (or a built-in vendor profile) gives the cloud."""
    entry = clouds_yaml_entry(cloud_region)
    hook = entry.get("vendor_hook") or entry.get("vendor-hook")
    if not hook and entry.get("profile"):
        from openstack.config import vendors

        if entry["profile"] in vendors.profiles():  # never fetch a remote profile here
            hook = (vendors.get_profile(entry["profile"]) or {}).get("vendor_hook")
    return hook
