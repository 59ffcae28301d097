"""The OSC plugin contract and ``--os-scope`` parsing, on a plain argparse parser."""

import argparse
import importlib
import os
import subprocess
import sys

import pytest

from osc_scope.cli import osc_plugin, sources


@pytest.fixture
def environ(monkeypatch):
    for name in list(sources.scope_variables(os.environ)):
        monkeypatch.delenv(name)
    return monkeypatch


def _parser():
    return osc_plugin.build_option_parser(argparse.ArgumentParser(prog="openstack"))


def test_contract():
    assert osc_plugin.API_NAME == "scope"
    assert osc_plugin.DEFAULT_API_VERSION in osc_plugin.API_VERSIONS
    assert not osc_plugin.API_VERSION_OPTION.upper().startswith("OS_SCOPE_")
    assert osc_plugin.make_client(object()) is None
    assert "(Env: OS_SCOPE)" in osc_plugin.HELP


def test_option_layers_over_environment(environ):
    environ.setenv("OS_SCOPE", '{"compute": "C"}')
    environ.setenv("OS_SCOPE_IMAGE", "B")
    parser = _parser()
    assert "OS_SCOPE" not in os.environ and "OS_SCOPE_IMAGE" not in os.environ
    args, _ = parser.parse_known_args(["image", "list", "--os-scope", '{"image": "A"}'])
    assert isinstance(args.os_scope, sources.ScopeSetting)
    assert sources.combine(args.os_scope.layers).to_wire() == '{"compute":"C","image":"A"}'
    assert args.os_vendor_hook == osc_plugin.CLI_VENDOR_HOOK


def test_the_hook_names_resolve_and_the_plugin_loads_neither():
    from osc_scope import sdk

    for name, function in ((osc_plugin.CLI_VENDOR_HOOK, sdk.cli_vendor_hook),
                           (sdk.VENDOR_HOOK, sdk.vendor_hook)):  # fmt: skip
        module, _, attribute = name.partition(":")
        assert getattr(importlib.import_module(module), attribute) is function
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, osc_scope.cli.osc_plugin; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'osc_scope.sdk'" not in loaded and "'osc_scope.cli.token_hook'" not in loaded


def test_no_scope_anywhere(environ):
    args, _ = _parser().parse_known_args(["image", "list"])
    assert args.os_scope.layers == ()


def test_bad_option_one_line_exit_2(environ, capsys):
    with pytest.raises(SystemExit) as info:
        _parser().parse_known_args(["--os-scope", '{"image": "A||B"}'])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("openstack: error: --os-scope: cloud expression 'A||B'")
    assert "position 2" in err


def test_bad_environment_fails_while_building_the_parser(environ, capsys):
    environ.setenv("OS_SCOPE", "{bad")
    with pytest.raises(SystemExit):
        _parser()
    assert capsys.readouterr().err.startswith("openstack: error: OS_SCOPE: not valid JSON")
