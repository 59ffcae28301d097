"""oslo-config-generator knows the [scoped_authtoken] options (``oslo.config.opts``)."""

import importlib.metadata
import os
import subprocess
import sys

import pytest

from osc_scope.middleware import opts

GENERATOR = os.path.join(os.path.dirname(sys.executable), "oslo-config-generator")


def test_the_entry_point_is_list_opts():
    (entry,) = [
        e for e in importlib.metadata.entry_points(group="oslo.config.opts")
        if e.name == "osc_scope.middleware"
    ]  # fmt: skip
    assert entry.load() is opts.list_opts


def test_oslo_config_generator_writes_a_sample(tmp_path):
    if not os.path.exists(GENERATOR):
        pytest.skip("oslo-config-generator is not installed")
    sample = tmp_path / "sample.conf"
    result = subprocess.run(
        [GENERATOR, "--namespace", "osc_scope.middleware",
         "--namespace", "keystonemiddleware.auth_token", "--output-file", str(sample)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = sample.read_text()
    assert "[keystone_authtoken]" in text and "[scoped_authtoken]" in text
    assert "[keystone_authtoken:<cloud>]" in text  # where each remote cloud's trust goes
    for opt in opts.OPTS + opts.TRUST_OPTS:
        assert f"\n#{opt.dest} =" in text, opt.dest
