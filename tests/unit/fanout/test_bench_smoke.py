"""bench/fanout.py runs end to end on a tiny load and leaves nothing behind (no timing
is checked: the figures are the bench's business)."""

import os
import pathlib
import signal
import subprocess
import sys
import time

BENCH = pathlib.Path(__file__).parents[3] / "bench" / "fanout.py"
TINY = ["--requests", "3", "--cpu-requests", "3", "--runs", "1", "--file-mb", "1",
        "--delays", "0,1,2", "--items", "2,3,4", "--concurrency", "2"]  # fmt: skip
STARTUP = 60  # seconds: two Python processes importing aiohttp on a busy machine


def _bench(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path))  # its sockets go under tmp_path
    return subprocess.Popen(
        [sys.executable, str(BENCH), *TINY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _processes_under(path):
    """Processes whose command line names ``path`` (the bench's children do)."""
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_prints_its_tables_and_cleans_up(tmp_path):
    bench = _bench(tmp_path)
    out, err = bench.communicate(timeout=120)
    assert bench.returncode == 0, err
    assert "| list, fan-out to 3 (0/1/2 ms, 9 images) |" in out
    assert "| one image held by CloudTwo, fan-out to 3 |" in out
    assert "| image data, fan-out to 3 |" in out
    assert "fan-out list p50 / slowest cloud alone p50:" in out
    assert list(tmp_path.iterdir()) == []
    assert _processes_under(tmp_path) == []


def test_ctrl_c_stops_everything_it_started(tmp_path):
    bench = _bench(tmp_path)
    deadline = time.monotonic() + STARTUP
    while not list(tmp_path.glob("*/fanout.sock")) and time.monotonic() < deadline:
        assert bench.poll() is None, bench.communicate()[1]
        time.sleep(0.05)
    bench.send_signal(signal.SIGINT)
    _, err = bench.communicate(timeout=60)
    assert bench.returncode in (0, 130), err  # 0: it had already finished
    assert list(tmp_path.iterdir()) == []
    assert _processes_under(tmp_path) == []
