"""playbooks/library/os_scope_ini.py: section-aware INI edits that keep everything else."""

import importlib.util
import pathlib

import pytest

LIBRARY = pathlib.Path(__file__).parents[3] / "playbooks" / "library" / "os_scope_ini.py"

pytest.importorskip("ansible")


@pytest.fixture(scope="module")
def ini():
    spec = importlib.util.spec_from_file_location("os_scope_ini", LIBRARY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PASTE = """\
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:cors]
# a comment stays
paste.filter_factory = oslo_middleware.cors:filter_factory
"""


def test_replaces_an_option_in_one_section_only(ini):
    settings = {
        "filter:authtoken": {
            "paste.filter_factory": None,
            "use": "egg:osc-scope#scoped_authtoken",
        }
    }
    text, changed = ini.apply(PASTE, settings)
    assert changed == ["filter:authtoken/paste.filter_factory", "filter:authtoken/use"]
    assert "[filter:authtoken]\nuse = egg:osc-scope#scoped_authtoken\n\n[filter:cors]" in text
    assert "paste.filter_factory = oslo_middleware.cors:filter_factory" in text
    assert "# a comment stays" in text
    again, changed = ini.apply(text, settings)
    assert (again, changed) == (text, [])


def test_adds_sections_and_options(ini):
    text, changed = ini.apply(
        "[DEFAULT]\ndebug = true\n",
        {"DEFAULT": {"bind_host": "127.0.0.1"}, "scoped_authtoken": {"remote_clouds": ["A", "B"]}},
    )
    assert text == (
        "[DEFAULT]\ndebug = true\nbind_host = 127.0.0.1\n\n"
        "[scoped_authtoken]\nremote_clouds = A,B\n"
    )
    assert changed == ["DEFAULT/bind_host", "scoped_authtoken/remote_clouds"]


def test_removing_what_is_absent_changes_nothing(ini):
    assert ini.apply("[a]\nx = 1\n", {"a": {"y": None}, "b": {"z": None}}) == ("[a]\nx = 1\n", [])


def test_a_changed_value_is_rewritten_once(ini):
    text, changed = ini.apply("[a]\nx = 1\nx = 2\n[b]\nx = 3\n", {"a": {"x": 5}})
    assert text == "[a]\nx = 5\n[b]\nx = 3\n"
    assert changed == ["a/x"]


def test_diffs_never_show_secret_values(ini):
    text = (
        "[keystone_authtoken:CloudTwo]\npassword = hunter2\n"
        "application_credential_secret=s3cr3t\n# password = sample\nusername = nova\n"
    )
    shown = ini.masked(text)
    for secret in ("hunter2", "s3cr3t", "sample"):
        assert secret not in shown
    assert "username = nova" in shown
    assert "password = ********" in shown
