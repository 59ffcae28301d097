"""Fixtures every test folder may use.

``ansible_playbook``: the one runner of ``ansible-playbook`` (the playbook tests on
loopback, tests/functional/playbooks, and on the local lab, tests/e2e), as a fixture since
``--import-mode=importlib`` gives tests no shared package to import from.
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
