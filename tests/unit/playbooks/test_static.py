"""Static checks of the deployment files: ansible-lint, syntax, Vagrantfile, shellcheck.

They run the real tools (Debian's vagrant and shellcheck, the venv's ansible-lint) and skip
when a tool is missing, so a partial install still runs the rest.
"""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[3]
BIN = pathlib.Path(sys.executable).parent
PLAYBOOKS = sorted((ROOT / "playbooks").glob("*.yml"))
PLAYBOOKS = [p for p in PLAYBOOKS if not p.name.startswith("inventory")]
SCRIPTS = ["setup-env.sh", ".ci/run"] + sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "misc").glob("*.sh")
)


def _tool(name):
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed")
    return str(path)


def _run(argv, env=None, timeout=120):
    environ = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {}))
    return subprocess.run(
        argv, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout
    )


def test_there_are_playbooks():
    assert {p.name for p in PLAYBOOKS} >= {"devstack.yml", "os-scope.yml"}


def test_ansible_lint_production_profile(tmp_path):
    result = _run(
        [_tool("ansible-lint"), "--profile", "production", "--offline", "playbooks/"],
        env={"ANSIBLE_HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.name)
def test_syntax_check(playbook, tmp_path):
    inventory = ROOT / "playbooks" / "inventory.example.yml"
    result = _run(
        [_tool("ansible-playbook"), "--syntax-check", "-i", str(inventory), str(playbook)],
        env={"ANSIBLE_HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_vagrantfile_validates(tmp_path):
    env = {"VAGRANT_DOTFILE_PATH": str(tmp_path / ".vagrant"), "VAGRANT_HOME": str(tmp_path)}
    validate = _run([_tool("vagrant"), "validate", "-p"], env=env)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    status = _run([_tool("vagrant"), "status"], env=env)
    if "provider 'libvirt' could not be found" in status.stdout + status.stderr:
        pytest.skip("vagrant status needs Debian's vagrant-libvirt (misc/install.sh)")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "CloudOne" in status.stdout and "CloudTwo" in status.stdout


def test_vagrantfile_provisioners():
    text = (ROOT / "Vagrantfile").read_text()
    assert 'provision "devstack"' in text and "playbooks/devstack.yml" in text
    assert 'provision "os-scope"' in text and "playbooks/os-scope.yml" in text


@pytest.mark.parametrize("script", SCRIPTS)
def test_shellcheck(script):
    result = _run([_tool("shellcheck"), script])
    assert result.returncode == 0, result.stdout + result.stderr
