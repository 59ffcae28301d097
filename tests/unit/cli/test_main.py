"""The ``osc-scope`` command's version, and the package metadata setuptools built."""

import configparser
import importlib.metadata
import pathlib

import pytest
from packaging.specifiers import SpecifierSet

import osc_scope
from osc_scope import private_api
from osc_scope.cli import sdk_internals
from osc_scope.cmd import main
from osc_scope.middleware import ksm_internals

ROOT = pathlib.Path(__file__).parents[3]


def test_version_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"osc-scope {osc_scope.__version__}\n"


def test_the_installed_metadata_is_setup_cfgs():
    """Version and Requires-Python reach the metadata (setup.cfg's sections are the right
    ones); a mismatch also means the venv predates setup.cfg: run misc/install.sh."""
    metadata = importlib.metadata.metadata("osc-scope")
    assert metadata["Version"] == osc_scope.__version__ != "0.0.0"
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert metadata["Requires-Python"] == setup["options"]["python_requires"] == ">=3.11"
    assert "python_requires" not in setup["metadata"]


def test_the_changelog_has_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"\n## {osc_scope.__version__} " in changelog


@pytest.mark.parametrize("adapter", [ksm_internals, sdk_internals], ids=lambda m: m.PACKAGE)
def test_the_installed_release_is_in_the_checked_range(adapter):
    """The range a MovedInternalsError names is setup.cfg's, and the release installed is in
    it (a newer one: check the adapter module against its sources, then widen the range)."""
    package = adapter.PACKAGE
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    checked = private_api.checked_range(package)
    assert f"{package}{checked}" in setup["options"]["install_requires"].split()
    installed = importlib.metadata.version(package)
    assert SpecifierSet(checked).contains(installed), (
        f"{package} {installed} is outside the range osc-scope was checked with ({checked}): "
        f"check {adapter.__file__} against its sources, then widen the range in setup.cfg"
    )
