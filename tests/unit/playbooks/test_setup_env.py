"""setup-env.sh: help, the missing-tools messages, and the tmux layout (with a fake vagrant);
the clouds come from the Vagrantfile's list (misc/vagrant-clouds.sh), as Ruby reads it."""

import os
import pathlib
import shutil
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).parents[3]
SCRIPT = ROOT / "setup-env.sh"
CLOUDS_SCRIPT = ROOT / "misc" / "vagrant-clouds.sh"
# The Vagrantfile's own os_clouds, evaluated by Ruby (Vagrant.configure stubbed out).
RUBY_CLOUDS = (
    "module Vagrant; def self.configure(*) end; end; b = binding;"
    " eval(File.read(ARGV[0]), b);"
    ' b.local_variable_get(:os_clouds).each { |c| puts "#{c[:name]} #{c[:ip]}" }'
)
THIRD = '  { name: "CloudThree", ip: "192.168.56.13", ssh_port: 2213 },\n'


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


def _checkout(tmp_path, vagrantfile):
    """setup-env.sh, misc/vagrant-clouds.sh and ``vagrantfile`` in a directory of their own."""
    repo = tmp_path / "repo"
    (repo / "misc").mkdir(parents=True)
    shutil.copy2(SCRIPT, repo / "setup-env.sh")
    shutil.copy2(CLOUDS_SCRIPT, repo / "misc" / "vagrant-clouds.sh")
    (repo / "Vagrantfile").write_text(vagrantfile)
    return repo


def _with_third_cloud():
    text = (ROOT / "Vagrantfile").read_text()
    last = text.index('  { name: "CloudTwo"')
    end = text.index("\n", last) + 1
    return text[:end] + THIRD + text[end:]


def test_the_clouds_are_the_vagrantfiles_as_ruby_reads_them(tmp_path):
    if shutil.which("ruby") is None:
        pytest.skip("ruby is not installed")
    for text in ((ROOT / "Vagrantfile").read_text(), _with_third_cloud()):
        vagrantfile = tmp_path / "Vagrantfile"
        vagrantfile.write_text(text)
        ruby = subprocess.run(
            ["ruby", "-e", RUBY_CLOUDS, str(vagrantfile)], capture_output=True, text=True
        )
        assert ruby.returncode == 0, ruby.stderr
        ours = subprocess.run(
            [str(CLOUDS_SCRIPT), str(vagrantfile)], capture_output=True, text=True
        )
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == ruby.stdout and ruby.stdout.count("\n") >= 2


def test_an_entry_it_cannot_read_is_named(tmp_path):
    text = (ROOT / "Vagrantfile").read_text().replace('  { name: "CloudTwo"', "  {name: CloudTwo")
    vagrantfile = tmp_path / "Vagrantfile"
    vagrantfile.write_text(text)
    result = subprocess.run([str(CLOUDS_SCRIPT), str(vagrantfile)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{vagrantfile}:" in result.stderr and "{name: CloudTwo" in result.stderr
    vagrantfile.write_text("# no list\n")
    result = subprocess.run([str(CLOUDS_SCRIPT), str(vagrantfile)], capture_output=True, text=True)
    assert result.returncode == 1 and "os_clouds" in result.stderr


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


def test_a_cloud_added_to_the_vagrantfile_gets_a_pane(tmp_path):
    repo = _checkout(tmp_path, _with_third_cloud())
    result = _run([str(repo / "setup-env.sh")], _bin(tmp_path, BASE, fake=["vagrant"]), tmp_path)
    assert result.returncode == 1
    assert "vagrant up CloudThree && vagrant ssh CloudThree" in result.stdout
    help_text = _run([str(repo / "setup-env.sh"), "--help"], tmp_path / "bin", tmp_path).stdout
    assert "top to bottom: CloudOne CloudTwo CloudThree." in help_text


@pytest.mark.parametrize("three", [False, True], ids=["Vagrantfile", "three-clouds"])
def test_tmux_panes_run_vagrant(tmp_path, three):
    clouds = ["CloudOne", "CloudTwo", "CloudThree"] if three else ["CloudOne", "CloudTwo"]
    script = _checkout(tmp_path, _with_third_cloud()) / "setup-env.sh" if three else SCRIPT
    # a copied checkout has no .venv: ansible-playbook is a stub there
    bindir = _bin(tmp_path, [*BASE, "tmux", "sh"], fake=["vagrant", "ansible-playbook"])
    result = _run([str(script), "--detach"], bindir, tmp_path)
    try:
        assert result.returncode == 0, result.stderr
        panes = _run(
            ["tmux", "list-panes", "-t", "osc-scope:", "-F", "#{pane_top} #{pane_start_command}"],
            bindir,
            tmp_path,
        )
        rows = sorted((int(top), command) for top, command in _split_lines(panes.stdout))
        order = [next(c for c in clouds if f"vagrant up {c} " in cmd) for _, cmd in rows]
        assert order == clouds  # one pane per cloud, top to bottom in the Vagrantfile's order
        calls = tmp_path / "calls"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if calls.exists() and len(calls.read_text().splitlines()) >= 2 * len(clouds):
                break
            time.sleep(0.1)
        assert sorted(calls.read_text().splitlines()) == sorted(
            f"vagrant {action} {cloud}" for cloud in clouds for action in ("up", "ssh")
        )
    finally:
        _run(["tmux", "kill-server"], bindir, tmp_path)


def _split_lines(text):
    return [line.split(" ", 1) for line in text.splitlines() if line]


@pytest.fixture(autouse=True)
def _no_outer_tmux(monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    os.environ.pop("TMUX", None)
