"""playbooks/roles/devstack: local.conf names the region after the cloud, HOST_IP its ip."""

import pathlib

import jinja2
import yaml

ROLE = pathlib.Path(__file__).parents[3] / "playbooks" / "roles" / "devstack"


def _render(**overrides):
    variables = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    variables = {
        key: jinja2.Template(value).render(variables) if isinstance(value, str) else value
        for key, value in variables.items()
    }
    variables.update(ansible_managed="managed", cloud_name="CloudTwo", cloud_ip="192.0.2.12")
    variables.update(devstack_kvm={"stat": {"exists": False}})
    variables.update(overrides)
    template = jinja2.Template((ROLE / "templates" / "local.conf.j2").read_text())
    return template.render(variables).splitlines()


def test_region_host_ip_and_branch():
    lines = _render(devstack_branch="stable/2025.1")
    assert "REGION_NAME=CloudTwo" in lines
    assert "HOST_IP=192.0.2.12" in lines and "SERVICE_HOST=192.0.2.12" in lines
    assert "TARGET_BRANCH=stable/2025.1" in lines
    assert lines[1] == "[[local|localrc]]"


def test_qemu_without_nested_kvm():
    assert "LIBVIRT_TYPE=qemu" in _render()
    assert "LIBVIRT_TYPE=kvm" in _render(devstack_kvm={"stat": {"exists": True}})


def test_only_the_services_the_examples_need():
    lines = _render()
    disabled = {line.split()[1] for line in lines if line.startswith("disable_service")}
    assert {"horizon", "cinder", "tempest"} <= disabled
    assert not disabled & {"key", "g-api", "n-api", "placement-api", "q-svc", "neutron"}
