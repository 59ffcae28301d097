"""The e2e tests' lab: one ``osc-scope lab up`` per session, ``lab down`` at the end.

Set ``OSC_SCOPE_E2E_LAB=DIR`` to run against a lab you keep (started or reused with
``osc-scope lab up --workdir DIR``, never stopped by the tests). Otherwise the session
builds a lab in a new directory under /tmp and removes it afterwards. Every request goes to
127.0.0.x. Tests that stop part of the lab bring it back with ``lab up`` (which only starts
what is missing).
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

BIN = os.path.dirname(sys.executable)
CLI_TIMEOUT = 180


@dataclasses.dataclass
class LabHandle:
    workdir: str

    @property
    def clouds_yaml(self):
        return os.path.join(self.workdir, "clouds.yaml")

    def log(self, name):
        return os.path.join(self.workdir, "log", f"{name}.log")

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(OS_CLIENT_CONFIG_FILE=self.clouds_yaml, PATH=f"{BIN}:{env.get('PATH', '')}")
        env.update(extra)
        return env

    def osc(self, *args, cloud="CloudOne", scope=None, check=True, env=None):
        """Run the real ``openstack`` CLI; ``scope`` goes after the command, as users type it."""
        argv = [os.path.join(BIN, "openstack"), "--os-cloud", cloud, *args]
        if scope is not None:
            argv += ["--os-scope", scope if isinstance(scope, str) else json.dumps(scope)]
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env or self.env()
        )
        if check and result.returncode:
            raise AssertionError(
                f"{' '.join(argv[1:])} failed ({result.returncode}):\n{result.stderr}"
            )
        return result

    def osc_json(self, *args, **kwargs):
        return json.loads(self.osc(*args, "-f", "json", **kwargs).stdout)

    def lab(self, action, check=True):
        argv = [os.path.join(BIN, "osc-scope"), "lab", action, "--workdir", self.workdir]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if check and result.returncode:
            raise AssertionError(f"lab {action} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def stop(self, name):
        """Stop one process of the lab (``CloudTwo-glance``, ``CloudTwo-haproxy``, ...)."""
        from osc_scope.lab import processes

        table = processes.ProcessTable(
            os.path.join(self.workdir, "run"), os.path.join(self.workdir, "log")
        )
        assert table.stop(name), f"{name} was not running"


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.skip("the lab needs root (port 80 on loopback, PostgreSQL as postgres)")
    kept = os.environ.get("OSC_SCOPE_E2E_LAB")
    workdir = kept or tempfile.mkdtemp(prefix="osc-scope-e2e-", dir="/tmp")
    os.chmod(workdir, 0o755)  # the postgres user walks into it
    handle = LabHandle(os.path.abspath(workdir))
    try:
        handle.lab("up")
        yield handle
    finally:
        if not kept:
            handle.lab("down", check=False)
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def restore(lab):
    """For tests that stop part of the lab: start whatever is missing afterwards."""
    yield lab
    lab.lab("up")


@pytest.fixture(scope="session")
def cloudtwo_image(lab):
    images = lab.osc_json("image", "list", cloud="CloudTwo")
    (image,) = [i for i in images if i["Name"] == "cirros"]
    return image["ID"]
