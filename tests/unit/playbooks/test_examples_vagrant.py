"""misc/examples.sh --vagrant: its clouds.yaml and the commands it runs (fake openstack)."""

import os
import pathlib
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).parents[3]
SCRIPT = ROOT / "misc" / "examples.sh"

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
case "$*" in "image show"*) exit 1 ;; esac
"""


@pytest.fixture
def fake_venv(tmp_path):
    """A 'venv' whose bin/ has logging openstack and vagrant stubs (examples.sh uses it)."""
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    for name in ("openstack", "vagrant"):
        (bindir / name).write_text(FAKE.format(log=tmp_path / "calls"))
        (bindir / name).chmod(0o755)
    return tmp_path


def test_vagrant_mode(fake_venv):
    env = dict(
        os.environ,
        OSC_SCOPE_VENV=str(fake_venv / "venv"),
        OSC_SCOPE_VAGRANT_DIR=str(fake_venv / "vagrant"),
        OSC_SCOPE_VAGRANT_CLOUDS="CloudOne=10.0.0.11 CloudTwo=10.0.0.12",
    )
    result = subprocess.run(
        [str(SCRIPT), "--vagrant"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    clouds = yaml.safe_load((fake_venv / "vagrant" / "clouds.yaml").read_text())["clouds"]
    assert clouds["CloudTwo"]["region_name"] == "CloudTwo"
    assert clouds["CloudTwo"]["auth"]["auth_url"] == "http://10.0.0.12/identity"
    calls = (fake_venv / "calls").read_text().splitlines()
    assert calls[0] == "openstack image show cirros --os-cloud CloudTwo"
    assert calls[1].startswith("vagrant ssh CloudTwo -c OS_CLOUD=devstack-admin")
    assert 'openstack image list --os-scope {"image": "CloudTwo"}' in calls
    assert any(c.startswith("openstack server create vm1-") for c in calls)


def test_vagrant_clouds_default_to_the_vagrantfiles(fake_venv):
    """Without OSC_SCOPE_VAGRANT_CLOUDS, every cloud of the Vagrantfile's list, with its ip."""
    env = dict(
        os.environ,
        OSC_SCOPE_VENV=str(fake_venv / "venv"),
        OSC_SCOPE_VAGRANT_DIR=str(fake_venv / "vagrant"),
    )
    env.pop("OSC_SCOPE_VAGRANT_CLOUDS", None)
    result = subprocess.run(
        [str(SCRIPT), "--vagrant"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    clouds = yaml.safe_load((fake_venv / "vagrant" / "clouds.yaml").read_text())["clouds"]
    listed = subprocess.run(
        [str(ROOT / "misc" / "vagrant-clouds.sh")], capture_output=True, text=True, check=True
    ).stdout.split()
    expected = dict(zip(listed[::2], listed[1::2], strict=True))
    assert {name: c["auth"]["auth_url"] for name, c in clouds.items()} == {
        name: f"http://{ip}/identity" for name, ip in expected.items()
    }
