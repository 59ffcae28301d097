"""Fixtures every test folder may use.

``ansible_playbook``: the one runner of ``ansible-playbook`` (the playbook tests on
loopback, tests/functional/playbooks, and on the local lab, tests/e2e), as a fixture since
``--import-mode=importlib`` gives tests no shared package to import from;
``router_check_wait``: how long a router's health checks take to notice a server, from its
haproxy.cfg (both use it to wait for the fan-out service the play starts).
"""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
# PLAY RECAP lines: "CloudOne                   : ok=28   changed=5    unreachable=0 ..."
RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", re.M)


def run_playbook(inventory, work, *options, playbook="playbooks/os-scope.yml", env=None,
                 timeout=600):  # fmt: skip
    """Run ``playbook`` of this checkout with this venv's ``ansible-playbook``.

    Ansible's own state (home, temp files, collections) stays under ``work``, so a run sees
    no collection or setting of the machine. ``env``: the base environment (default: this
    process's). Returns the ``CompletedProcess`` with ``changed``: {host: changed count}.
    """
    environ = dict(os.environ if env is None else env)
    environ.update(
        PATH=f"{BIN}{os.pathsep}{environ.get('PATH', '')}",
        ANSIBLE_HOME=os.path.join(work, "ansible-home"),
        ANSIBLE_LOCAL_TEMP=os.path.join(work, "ansible-tmp"),
        ANSIBLE_REMOTE_TMP=os.path.join(work, "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_COLLECTIONS_PATH=os.path.join(work, "no-collections"),
    )
    result = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", str(inventory), playbook, *options],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    result.changed = {host: int(count) for host, count in RECAP.findall(result.stdout)}
    return result


@pytest.fixture(scope="session")
def ansible_playbook():
    """``run_playbook`` (above)."""
    return run_playbook


def health_check_wait(haproxy_cfg):
    """Seconds a router running ``haproxy_cfg`` (its text) may take to mark a server up or
    down: fall + rise checks of its ``default-server``, each an interval plus the check
    timeout, twice over."""
    from osc_scope.routing import timing

    inter, fall, rise = re.search(
        r"default-server .*inter (\S+) fall (\d+) rise (\d+)", haproxy_cfg
    ).groups()
    timeout = re.search(r"timeout check (\S+)", haproxy_cfg).group(1)
    check = timing.milliseconds(inter) + timing.milliseconds(timeout)
    return 2 * (int(fall) + int(rise)) * check / 1000


@pytest.fixture(scope="session")
def router_check_wait():
    """``health_check_wait`` (above)."""
    return health_check_wait
