"""openstacksdk's private attribute: present in the installed release (read from a real
loader), and a release that moved it is refused naming it, the version and the range."""

import importlib.metadata
import json
import types

import pytest
from openstack.config import cloud_region, loader

from osc_scope import private_api
from osc_scope.cli import sdk_internals

PACKAGE = sdk_internals.PACKAGE


def test_the_entry_as_clouds_yaml_wrote_it(tmp_path):
    scope = '{"image": "CloudTwo"}'  # JSON text: the loader would .format() it
    path = tmp_path / "clouds.yaml"
    entry = {"region_name": "CloudOne", "auth": {"auth_url": "http://127.0.0.1/identity"}}
    path.write_text(json.dumps({"clouds": {"c1": {**entry, "scope": scope}}}))
    config = loader.OpenStackConfig(config_files=[str(path)], vendor_files=[], secure_files=[])
    region = config.get_one(cloud="c1", scope={"image": "Z"})  # what the CLI passes
    assert sdk_internals.clouds_yaml_entry(region)["scope"] == scope


def test_a_region_built_by_hand_has_no_entry():
    assert sdk_internals.clouds_yaml_entry(cloud_region.CloudRegion(name="c1")) == {}


def test_a_moved_attribute_is_named():
    with pytest.raises(private_api.MovedInternalsError) as info:
        sdk_internals.clouds_yaml_entry(types.SimpleNamespace(name="c1", config={}))
    assert str(info.value) == (
        f"{PACKAGE} {importlib.metadata.version(PACKAGE)}: SimpleNamespace has no attribute "
        f"'{sdk_internals.LOADER}', which osc-scope uses; osc-scope was checked with "
        f"{PACKAGE}{private_api.checked_range(PACKAGE)}"
    )
