"""openstacksdk's private attributes: read here, and nowhere else.

A ``CloudRegion`` holds its cloud's config after the loader has expanded, merged and
``format()``-ed it, but the clouds.yaml ``scope:`` must be read as written (a JSON string
there would not survive the loader). Only the loader that built the region keeps the file
as written, in a private attribute. setup.cfg pins the openstacksdk range this was checked
in; tests/unit/cli/test_sdk_internals.py fails, naming it, on a release that moved it.
"""

from osc_scope.private_api import require

PACKAGE = "openstacksdk"
LOADER = "_openstack_config"  # CloudRegion -> the OpenStackConfig that built it, or None


def clouds_yaml_entry(cloud_region):
    """The cloud's entry as written in clouds.yaml (merged with secure.yaml), or ``{}``
    (also for a region built by hand, without a loader)."""
    loader = getattr(require(cloud_region, (LOADER,), PACKAGE), LOADER)
    if loader is None:
        return {}
    clouds = (require(loader, ("cloud_config",), PACKAGE).cloud_config or {}).get("clouds")
    return (clouds or {}).get(cloud_region.name) or {}
