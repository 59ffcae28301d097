"""What the roles repeat of the Python package, checked against it: the cloud-name rule
(Ansible's ``match`` test cannot import it), the applications the services are given, and
the packages of the fan-out service (osc-scope's ``fanout`` extra)."""

import configparser
import importlib.util
import pathlib
import re

import pytest
import yaml

from osc_scope.scope import CLOUD_NAME_PATTERN, is_cloud_name

ROOT = pathlib.Path(__file__).parents[3]
ROLES = ROOT / "playbooks" / "roles"
CLOUD_NAME_CHECK = re.compile(r"cloud_name is match\('(?P<regex>[^']*)'\)")


def _cloud_name_checks():
    checks = []
    for path in sorted(ROLES.glob("*/tasks/*.yml")):
        for regex in CLOUD_NAME_CHECK.findall(path.read_text()):
            checks.append((str(path.relative_to(ROOT)), regex))
    return checks


def test_every_role_checks_cloud_name():
    assert {path.split("/")[2] for path, _ in _cloud_name_checks()} == {"devstack", "os_scope"}


@pytest.mark.parametrize("path, regex", _cloud_name_checks(), ids=lambda v: str(v))
def test_the_roles_cloud_name_rule_is_the_packages(path, regex):
    assert regex == f"^{CLOUD_NAME_PATTERN}$", f"{path}: update it to osc_scope.scope.names"
    for name in ("CloudOne", "a", "x" * 255, "R_1.b-2", "", "x" * 256, "a b", "A|B", "é"):
        assert (re.match(regex, name) is not None) == is_cloud_name(name), name


def test_every_default_service_is_made_scope_aware():
    defaults = yaml.safe_load((ROLES / "os_scope" / "defaults" / "main.yml").read_text())
    services = {service["name"]: service for service in defaults["os_scope_services"]}
    assert set(services) == {"nova", "glance", "neutron", "placement"}
    for name, service in services.items():
        assert bool(service.get("paste")) != bool(service.get("uwsgi")), name
    module, _, attribute = services["placement"]["uwsgi"]["module"].partition(":")
    assert (module, attribute) == ("osc_scope.middleware.placement", "application")
    assert importlib.util.find_spec(module) is not None


def test_build_products_stay_out_of_setuptools_build_dir():
    defaults = yaml.safe_load((ROLES / "os_scope" / "defaults" / "main.yml").read_text())
    assert defaults["os_scope_build_dir"] == "{{ playbook_dir | dirname }}/generated/os-scope"


def test_the_fanout_service_gets_the_packages_of_its_extra():
    defaults = yaml.safe_load((ROLES / "os_scope" / "defaults" / "main.yml").read_text())
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    extra = setup["options.extras_require"]["fanout"].split()
    assert defaults["os_scope_fanout_pip_packages"] == extra
