"""Service-type normalisation against the os-service-types registry."""

import pytest

from osc_scope.scope import UnknownServiceError
from osc_scope.scope.service_types import lookup, normalize, official_types


@pytest.mark.parametrize(
    ("name", "official"),
    [
        ("image", "image"),
        ("glance", "image"),
        ("Glance", "image"),
        ("nova", "compute"),
        ("keystone", "identity"),
        ("neutron", "network"),
        ("volumev3", "block-storage"),
        ("cinder", "block-storage"),
        ("swift", "object-store"),
        ("object_store", "object-store"),
        ("placement", "placement"),
    ],
)
def test_normalize(name, official):
    assert normalize(name) == official


@pytest.mark.parametrize("name", ["", "imagez", None, "image store"])
def test_unknown(name):
    assert lookup(name) is None
    with pytest.raises(UnknownServiceError):
        normalize(name)


def test_official_types():
    types = official_types()
    assert {"image", "compute", "identity", "network", "placement"} <= set(types)
    assert all(normalize(t) == t for t in types)
