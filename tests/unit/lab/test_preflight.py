"""``lab up`` without its parts: one line naming what is missing and how to install it.

The missing parts are simulated (PATH, the probe functions), never uninstalled.
"""

import os
import sys

import pytest

from osc_scope.cmd import main
from osc_scope.lab import postgres, preflight, rabbitmq


@pytest.fixture
def installed(monkeypatch, tmp_path):
    """Everything present: haproxy on a PATH of its own, fake PostgreSQL and RabbitMQ."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("haproxy", "rabbitmq-server", "epmd", "uwsgi"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    pg = tmp_path / "postgresql" / "15" / "bin"
    pg.mkdir(parents=True)
    (pg / "initdb").write_text("#!/bin/sh\n")
    (pg / "initdb").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(postgres, "BIN_PATTERN", str(tmp_path / "postgresql" / "*" / "bin"))
    monkeypatch.setattr(rabbitmq, "SERVER", str(bin_dir / "rabbitmq-server"))
    monkeypatch.setattr(rabbitmq, "EPMD", str(bin_dir / "epmd"))
    monkeypatch.setattr(preflight, "_venv_script", lambda name: str(bin_dir / name))
    monkeypatch.setattr(preflight, "_module_installed", lambda name: True)
    return bin_dir


def _message():
    with pytest.raises(preflight.LabError) as caught:
        preflight.check()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_nothing_missing_passes(installed):
    assert preflight.missing() == []
    preflight.check()


def test_without_the_lab_extra_it_names_the_packages_and_the_pip_command(installed, monkeypatch):
    monkeypatch.setattr(preflight, "_module_installed", lambda name: name == "psycopg2")
    message = _message()
    assert "keystone, glance, placement, nova, neutron" in message
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert message.endswith(f"run: {sys.executable} -m pip install -e '{root}[lab]'")


def test_outside_a_checkout_the_command_installs_the_published_extra(installed, monkeypatch):
    monkeypatch.setattr(preflight, "_module_installed", lambda name: False)
    monkeypatch.setattr(preflight, "_checkout", lambda: None)
    assert _message().endswith(f"run: {sys.executable} -m pip install 'osc-scope[lab]'")


def test_without_uwsgi_it_asks_for_the_lab_extra(installed):
    os.unlink(installed / "uwsgi")
    assert "the lab needs its Python packages (uwsgi)" in _message()


def test_without_haproxy_on_path(installed):
    os.unlink(installed / "haproxy")
    assert _message() == (
        "the lab needs haproxy, not installed here; run: apt-get install haproxy"
    )


def test_without_postgresql(installed, monkeypatch, tmp_path):
    monkeypatch.setattr(postgres, "BIN_PATTERN", str(tmp_path / "none" / "*" / "bin"))
    assert _message().endswith("run: apt-get install postgresql")


def test_without_rabbitmq(installed):
    os.unlink(installed / "rabbitmq-server")
    assert _message() == (
        "the lab needs RabbitMQ, not installed here; run: apt-get install rabbitmq-server"
    )


def test_everything_missing_is_one_line_and_one_command(installed, monkeypatch, tmp_path):
    monkeypatch.setattr(preflight, "_module_installed", lambda name: False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(postgres, "BIN_PATTERN", str(tmp_path / "none" / "*" / "bin"))
    monkeypatch.setattr(rabbitmq, "EPMD", str(tmp_path / "none" / "epmd"))
    message = _message()
    assert ", haproxy, PostgreSQL and RabbitMQ, not installed here" in message
    assert message.endswith(" && apt-get install haproxy postgresql rabbitmq-server")


def test_lab_up_says_it_in_one_line_exits_1_and_touches_nothing(installed, capsys, tmp_path):
    os.unlink(installed / "haproxy")
    workdir = tmp_path / "lab"
    assert main.main(["lab", "up", "--workdir", str(workdir)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "osc-scope: error: lab up failed: the lab needs haproxy, not installed here; "
        "run: apt-get install haproxy\n"
    )
    assert not workdir.exists()


def test_the_newest_postgresql_is_chosen(monkeypatch, tmp_path):
    for version in ("9", "15", "16"):
        directory = tmp_path / version / "bin"
        directory.mkdir(parents=True)
        (directory / "initdb").write_text("")
        (directory / "initdb").chmod(0o755)
    (tmp_path / "17" / "bin").mkdir(parents=True)  # a leftover without programs
    monkeypatch.setattr(postgres, "BIN_PATTERN", str(tmp_path / "*" / "bin"))
    assert postgres.bin_dir() == str(tmp_path / "16" / "bin")
