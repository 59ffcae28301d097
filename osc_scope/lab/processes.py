"""Start and stop the lab's processes by PID, with one log file each.

Every process runs in its own session (so ``lab up`` can exit and a stop reaches uWSGI's
workers and RabbitMQ's Erlang VM through the process group) and is recorded in
``run/<name>.pid`` with its start time, so a recycled PID is never killed by mistake.
"""

import glob
import os
import signal
import socket
import subprocess
import time

__all__ = ["LabProcessError", "ProcessTable", "wait_for_port", "port_is_open", "children"]


class LabProcessError(RuntimeError):
    """A process that would not start or answer; the message names its log file."""


def _start_time(pid):
    """The kernel's start time of ``pid`` (clock ticks since boot), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            stat = stream.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited already
        return None
    return int(fields[19])


def children(pid):
    """The PIDs of ``pid``'s children (an HAProxy master's workers)."""
    found = set()
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as stream:
                found.update(int(v) for v in stream.read().split())
        except OSError:
            pass
    return found


def port_is_open(host, port, timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host, port, timeout, alive=None, what=None):
    """Wait until ``host:port`` accepts connections; fail early if ``alive()`` turns False."""
    _wait_listening(lambda: port_is_open(host, port), f"{host}:{port}", timeout, alive, what)


def unix_socket_is_open(path):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(1)
        try:
            sock.connect(path)
            return True
        except OSError:
            return False


def wait_for_unix_socket(path, timeout, alive=None, what=None):
    """Wait until the Unix socket ``path`` accepts connections (as ``wait_for_port``)."""
    _wait_listening(lambda: unix_socket_is_open(path), path, timeout, alive, what)


def _wait_listening(is_open, where, timeout, alive, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_open():
            return
        if alive is not None and not alive():
            raise LabProcessError(f"{what or where}: exited before listening on {where}")
        time.sleep(0.1)
    raise LabProcessError(f"{what or where}: nothing listens on {where} after {timeout} s")


class ProcessTable:
    """The processes of one lab: ``run_dir`` holds the PID files, ``log_dir`` the logs."""

    def __init__(self, run_dir, log_dir):
        self.run_dir = run_dir
        self.log_dir = log_dir

    def log_file(self, name):
        return os.path.join(self.log_dir, f"{name}.log")

    def _pid_file(self, name):
        return os.path.join(self.run_dir, f"{name}.pid")

    def pid(self, name):
        """PID of ``name`` if it is still the process the lab started, else None."""
        pid, started, _ = self._record(name)
        return pid if pid is not None and _start_time(pid) == started else None

    def _record(self, name):
        """(pid, start time, stop signal) from the PID file; Nones when there is none."""
        try:
            with open(self._pid_file(name)) as stream:
                fields = [int(v) for v in stream.read().split()]
        except (OSError, ValueError):
            return None, None, None
        if len(fields) < 2:
            return None, None, None
        return fields[0], fields[1], (fields[2] if len(fields) > 2 else signal.SIGTERM)

    def alive(self, name):
        return self.pid(name) is not None

    def names(self):
        try:
            files = sorted(os.listdir(self.run_dir))
        except FileNotFoundError:
            return []
        return [f[: -len(".pid")] for f in files if f.endswith(".pid")]

    def start(self, name, argv, env=None, cwd=None, user=None, stop_signal=signal.SIGTERM):
        """Start ``argv`` in the background unless it already runs; returns its PID.

        ``stop_signal`` is what ``stop`` sends later (uWSGI stops at once on SIGINT, and
        lingers on SIGTERM while its threads finish).
        """
        pid = self.pid(name)
        if pid is not None:
            return pid
        os.makedirs(self.run_dir, exist_ok=True)
        os.makedirs(self.log_dir, exist_ok=True)
        with open(self.log_file(name), "ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} start {name}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                user=user,
                group=user,
                extra_groups=[] if user else None,
                start_new_session=True,
            )
        with open(self._pid_file(name), "w") as stream:
            stream.write(f"{proc.pid} {_start_time(proc.pid)} {int(stop_signal)}\n")
        self._children = getattr(self, "_children", {})
        self._children[name] = proc  # reaped by poll() in alive checks of this run
        return proc.pid

    def _digest_file(self, name):
        return os.path.join(self.run_dir, f"{name}.digest")

    def runs_with(self, name, digest):
        """Whether ``name`` runs, started from the configuration whose digest is ``digest``."""
        if not self.alive(name):
            return False
        try:
            with open(self._digest_file(name)) as stream:
                return stream.read() == digest
        except FileNotFoundError:
            return False

    def record(self, name, digest):
        """Say that ``name`` now runs from the configuration whose digest is ``digest``
        (after ``start``, or after a reload that kept the process)."""
        with open(self._digest_file(name), "w") as stream:
            stream.write(digest)

    def argv(self, name):
        """The command line ``name`` runs, None when it does not run."""
        pid = self.pid(name)
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as stream:
                return [a.decode() for a in stream.read().split(b"\0")[:-1]]
        except (OSError, TypeError):
            return None

    def ensure(self, name, argv, digest, **options):
        """Start ``argv`` unless it already runs from this configuration (``digest``);
        restart it when it runs from another. Returns "running", "restarted" or "started";
        ``options`` go to ``start``."""
        if self.runs_with(name, digest):
            return "running"
        state = "restarted" if self.stop(name) else "started"
        self.start(name, argv, **options)
        self.record(name, digest)
        return state

    def exited(self, name):
        """True when a process started by this object has exited (reaping it)."""
        proc = getattr(self, "_children", {}).get(name)
        return proc is not None and proc.poll() is not None

    def stop(self, name, timeout=15, signum=None, group=True):
        """Stop ``name``: its stop signal to its group (or to it alone), SIGKILL after
        ``timeout``.

        PostgreSQL wants SIGINT to the postmaster alone (a fast, clean shutdown); the others
        get their signal as a group, so no worker is left behind.
        """
        pid = self.pid(name)
        if pid is not None:
            signum = signum or self._record(name)[2]
            if group:
                _signal_group(pid, signum)
            else:
                os.kill(pid, signum)
            deadline = time.monotonic() + timeout
            while _start_time(pid) is not None and time.monotonic() < deadline:
                self._reap(name)
                time.sleep(0.1)
            _signal_group(pid, signal.SIGKILL)
            self._reap(name)
        try:
            os.unlink(self._pid_file(name))
        except FileNotFoundError:
            pass
        return pid is not None

    def _reap(self, name):
        proc = getattr(self, "_children", {}).get(name)
        if proc is not None:
            proc.poll()


def _signal_group(pid, signum):
    """Signal the session the lab started (the PID is its group leader)."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, signum)
