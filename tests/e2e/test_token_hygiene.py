"""No token in any log file under the lab's directory (HAProxy, services, databases).

Runs last in the session (file order), after every other test has sent its tokens.
"""

import os
import re

import pytest

pytestmark = pytest.mark.lab

# Fernet tokens are urlsafe base64 of a version byte 0x80: they all start with "gAAAAA".
FERNET = re.compile(rb"gAAAAA[A-Za-z0-9_-]{40,}")


def _log_files(workdir):
    for root, _, files in os.walk(workdir):
        for name in files:
            if name.endswith(".log") or "log" in root.split(os.sep):
                yield os.path.join(root, name)


def test_tokens_used_by_the_cli_appear_in_no_log(lab):
    token = lab.osc("token", "issue", "-f", "value", "-c", "id").stdout.strip()
    assert token
    lab.osc("image", "list", scope={"image": "CloudTwo"})  # a scoped token crosses clouds
    found = []
    for path in _log_files(lab.workdir):
        with open(path, "rb") as stream:
            data = stream.read()
        if token.encode() in data or FERNET.search(data):
            found.append(os.path.relpath(path, lab.workdir))
    assert not found, f"tokens in {found}"
