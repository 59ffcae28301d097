"""``misc/examples.sh --lab`` runs every scoped command of the seed workflow against the lab."""

import os
import subprocess

import pytest

pytestmark = pytest.mark.lab

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "misc", "examples.sh")


def test_examples_script_runs_against_the_lab(lab):
    result = subprocess.run(
        [SCRIPT, "--lab", lab.workdir],
        capture_output=True,
        text=True,
        timeout=600,
        env=lab.env(),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "all commands succeeded" in result.stdout
    assert "ACTIVE" in result.stdout
