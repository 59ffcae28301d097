"""Scope sources and their layering (option > OS_SCOPE > OS_SCOPE_<SERVICE> > clouds.yaml)."""

import copy
import types

import pytest

from osc_scope.cli import sdk_internals, sources
from osc_scope.scope import DuplicateServiceError, UnknownServiceError, parse


def test_from_environ_layers():
    environ = {
        "OS_SCOPE": '{"compute": "C", "image": "X"}',
        "OS_SCOPE_IMAGE": "B",
        "OS_SCOPE_BLOCK_STORAGE": "D|E",
        "OS_SCOPE_NETWORK": "",  # empty: unset
        "OS_CLOUD": "ignored",
    }
    layers = sources.from_environ(environ)
    assert [name for name, _ in layers] == ["OS_SCOPE", "OS_SCOPE_<SERVICE>"]
    assert sources.combine(layers).to_wire() == (
        '{"block-storage":"D|E","compute":"C","image":"X"}'
    )
    assert sorted(sources.scope_variables(environ)) == [
        "OS_SCOPE",
        "OS_SCOPE_BLOCK_STORAGE",
        "OS_SCOPE_IMAGE",
        "OS_SCOPE_NETWORK",
    ]


def test_errors_name_their_source():
    with pytest.raises(UnknownServiceError) as info:
        sources.from_environ({"OS_SCOPE_IMAGEZ": "A"})
    assert str(info.value).startswith("OS_SCOPE_IMAGEZ: ")
    with pytest.raises(DuplicateServiceError) as info:
        sources.from_environ({"OS_SCOPE_IMAGE": "A", "OS_SCOPE_GLANCE": "B"})
    with pytest.raises(Exception) as info:
        sources.from_option("{bad")
    assert str(info.value).startswith("--os-scope: not valid JSON")


def test_no_layers_is_no_scope():
    assert sources.combine([]) is None
    assert sources.from_config_value(None, "x") is None
    assert sources.from_config_value("", "x") is None


def test_config_value_mapping_or_json_text():
    assert sources.from_config_value({"glance": "A"}, "x").to_wire() == '{"image":"A"}'
    assert sources.from_config_value('{"glance": "A"}', "x").to_wire() == '{"image":"A"}'


def test_scope_setting_survives_the_loader():
    setting = sources.ScopeSetting([("OS_SCOPE", parse('{"image": "A"}'))])
    stronger = setting.with_strongest("--os-scope", parse('{"compute": "B"}'))
    assert not hasattr(stronger, "format")  # the loader .format()s strings only
    assert copy.deepcopy(stronger) is stronger
    assert list(stronger) == [("--os-scope", '{"compute":"B"}'), ("OS_SCOPE", '{"image":"A"}')]
    assert sources.combine(stronger.layers).to_wire() == '{"compute":"B","image":"A"}'
    assert sources.ScopeSetting() != ""  # argparse/_fix_args keep it


def _region(config, raw_clouds=None, name="c1"):
    loader = types.SimpleNamespace(cloud_config={"clouds": raw_clouds or {}})
    return types.SimpleNamespace(config=config, name=name, **{sdk_internals.LOADER: loader})


def test_resolve_reads_clouds_yaml_behind_the_setting():
    setting = sources.ScopeSetting([("--os-scope", parse('{"image": "A"}'))])
    region = _region({"scope": setting}, {"c1": {"scope": '{"image": "Z", "network": "N"}'}})
    assert sources.resolve(region).to_wire() == '{"image":"A","network":"N"}'


def test_resolve_plain_sdk_config_and_nothing():
    assert sources.resolve(_region({"scope": {"image": "A"}})).to_wire() == '{"image":"A"}'
    assert sources.resolve(_region({})) is None
    assert sources.resolve(_region({"scope": sources.ScopeSetting()})) is None


def test_resolve_bare_vendor_hook_reads_the_environment():
    region = _region({"scope": {"image": "A"}})
    environ = {"OS_SCOPE_COMPUTE": "B", "OS_SCOPE": '{"image": "C"}'}
    assert sources.resolve(region, environ).to_wire() == '{"compute":"B","image":"C"}'
    # behind a ScopeSetting the environment was read already: not read twice
    setting_region = _region({"scope": sources.ScopeSetting()})
    assert sources.resolve(setting_region, environ) is None
