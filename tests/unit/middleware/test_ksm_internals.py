"""keystonemiddleware's private attributes: present in the installed release, and a release
that moved one is refused with a message naming it, the version and the checked range."""

import importlib.metadata
import types

import pytest

from osc_scope import private_api
from osc_scope.middleware import ksm_internals

PACKAGE = ksm_internals.PACKAGE


def test_every_protocol_the_middleware_builds_has_them(make_app):
    app = make_app()  # check() runs in the constructors; again here, on both kinds
    for protocol in (app, app._remote["CloudTwo"]):
        assert ksm_internals.check(protocol) is protocol
        assert ksm_internals.oslo_conf(protocol) is not None
        assert ksm_internals.service_auth(protocol)[0] is not None


def _expected_message(missing, owner):
    return (
        f"{PACKAGE} {importlib.metadata.version(PACKAGE)}: {owner} has no attribute "
        f"'{missing}', which osc-scope uses; osc-scope was checked with "
        f"{PACKAGE}{private_api.checked_range(PACKAGE)}"
    )


@pytest.mark.parametrize("missing", ksm_internals.PROTOCOL_ATTRIBUTES)
def test_a_moved_attribute_is_named(missing):
    conf = types.SimpleNamespace(oslo_conf_obj=None, get=None)
    values = {name: conf for name in ksm_internals.PROTOCOL_ATTRIBUTES if name != missing}
    with pytest.raises(private_api.MovedInternalsError) as info:
        ksm_internals.check(types.SimpleNamespace(**values))
    assert str(info.value) == _expected_message(missing, "SimpleNamespace")


def test_a_real_protocol_missing_one_fails_at_start_up(make_app):
    app = make_app()
    del app._token_cache
    with pytest.raises(private_api.MovedInternalsError) as info:
        ksm_internals.check(app)
    assert str(info.value) == _expected_message("_token_cache", type(app).__name__)
