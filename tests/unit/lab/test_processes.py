"""Processes by PID: started in their own session, stopped with their group, PID checked."""

import socket
import sys

import pytest

from osc_scope.lab import processes


@pytest.fixture
def table(tmp_path):
    procs = processes.ProcessTable(str(tmp_path / "run"), str(tmp_path / "log"))
    yield procs
    for name in procs.names():
        procs.stop(name, timeout=2)


def test_start_records_pid_and_stop_ends_the_group(table):
    pid = table.start("sleeper", ["sh", "-c", "sleep 30 & sleep 30"])
    assert table.pid("sleeper") == pid
    assert table.start("sleeper", ["false"]) == pid  # already running: not started twice
    assert table.stop("sleeper", timeout=5)
    assert table.pid("sleeper") is None
    assert not table.stop("sleeper")


def test_ensure_restarts_only_when_the_configuration_changed(table):
    sleeper = ["sleep", "30"]
    assert table.ensure("svc", sleeper, "digest-1") == "started"
    pid = table.pid("svc")
    assert table.runs_with("svc", "digest-1")
    assert table.ensure("svc", sleeper, "digest-1") == "running"
    assert table.pid("svc") == pid
    assert table.ensure("svc", sleeper, "digest-2") == "restarted"
    assert table.pid("svc") not in (None, pid)
    assert not table.runs_with("svc", "digest-1")


def test_a_recycled_pid_is_not_taken_for_ours(table, tmp_path):
    table.start("short", [sys.executable, "-c", "pass"])
    with open(tmp_path / "run" / "short.pid", "w") as stream:
        stream.write("1 12345\n")  # PID 1 with another start time
    assert table.pid("short") is None


def test_wait_for_port_fails_early_when_the_process_dies(table):
    table.start("dies", [sys.executable, "-c", "raise SystemExit(3)"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(processes.LabProcessError, match="exited before listening"):
        processes.wait_for_port("127.0.0.1", port, 10, alive=lambda: not table.exited("dies"))
    assert "start dies" in open(table.log_file("dies")).read()
