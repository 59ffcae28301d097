"""setup-env.sh: help, the missing-tools messages, and the tmux layout (with a fake vagrant)."""

import os
import pathlib
import shutil
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).parents[3]
SCRIPT = ROOT / "setup-env.sh"


def _bin(tmp_path, tools, fake=()):
    """A PATH directory with only ``tools`` (symlinked) and ``fake`` (logging stubs)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed")
        (bindir / tool).symlink_to(found)
    for name in fake:
        stub = bindir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{tmp_path}/calls"\n')
        stub.chmod(0o755)
    return bindir


def _run(argv, path, tmp_path):
    env = {"PATH": str(path), "HOME": str(tmp_path), "TMUX_TMPDIR": str(tmp_path)}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)


BASE = ["bash", "dirname", "basename", "cat", "sleep"]


def test_help(tmp_path):
    result = _run([str(SCRIPT), "--help"], _bin(tmp_path, BASE), tmp_path)
    assert result.returncode == 0
    assert "CloudOne" in result.stdout and "vagrant up" in result.stdout


def test_unknown_argument(tmp_path):
    result = _run([str(SCRIPT), "--nope"], _bin(tmp_path, BASE), tmp_path)
    assert result.returncode == 2
    assert "unknown argument" in result.stderr


def test_without_tmux_prints_the_commands(tmp_path):
    result = _run([str(SCRIPT)], _bin(tmp_path, BASE, fake=["vagrant"]), tmp_path)
    assert result.returncode == 1
    assert "missing: tmux" in result.stderr
    assert "vagrant up CloudOne && vagrant ssh CloudOne" in result.stdout
    assert "vagrant up CloudTwo && vagrant ssh CloudTwo" in result.stdout


def test_missing_vagrant_is_named(tmp_path):
    result = _run([str(SCRIPT)], _bin(tmp_path, [*BASE, "tmux"]), tmp_path)
    assert result.returncode == 1
    assert "vagrant" in result.stderr


def test_tmux_panes_run_vagrant(tmp_path):
    bindir = _bin(tmp_path, [*BASE, "tmux", "sh"], fake=["vagrant"])
    result = _run([str(SCRIPT), "--detach"], bindir, tmp_path)
    try:
        assert result.returncode == 0, result.stderr
        panes = _run(
            ["tmux", "list-panes", "-t", "osc-scope:", "-F", "#{pane_index} #{pane_top}"],
            bindir,
            tmp_path,
        )
        tops = [int(line.split()[1]) for line in panes.stdout.split("\n") if line]
        assert len(tops) == 2 and tops[0] < tops[1]  # CloudOne on top, CloudTwo below
        calls = tmp_path / "calls"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if calls.exists() and len(calls.read_text().splitlines()) >= 4:
                break
            time.sleep(0.1)
        assert sorted(calls.read_text().splitlines()) == [
            "vagrant ssh CloudOne",
            "vagrant ssh CloudTwo",
            "vagrant up CloudOne",
            "vagrant up CloudTwo",
        ]
    finally:
        _run(["tmux", "kill-server"], bindir, tmp_path)


@pytest.fixture(autouse=True)
def _no_outer_tmux(monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    os.environ.pop("TMUX", None)
