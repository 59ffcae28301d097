"""The lab's PostgreSQL: one cluster in ``DIR/postgres``, run as the ``postgres`` user.

PostgreSQL refuses to run as root, so the data directory belongs to ``postgres``. Settings
trade durability for speed (a lab is rebuilt, never restored): no fsync, trust on loopback
only, enough connections for the services' pools.
"""

import glob
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time

from osc_scope.lab import layout, processes

__all__ = ["PostgresError", "Postgres", "bin_dir"]

BIN_PATTERN = "/usr/lib/postgresql/*/bin"  # Debian's layout, one directory per version
USER = "postgres"
NAME = "postgres"


class PostgresError(RuntimeError):
    """PostgreSQL could not be prepared; the message says what to fix."""


def bin_dir():
    """The programs of the newest PostgreSQL installed (Debian 12: 15), None if none is."""
    versions = []
    for directory in glob.glob(BIN_PATTERN):
        version = os.path.basename(os.path.dirname(directory))
        if version.isdigit() and os.access(os.path.join(directory, "initdb"), os.X_OK):
            versions.append((int(version), directory))
    return max(versions)[1] if versions else None


class Postgres:
    def __init__(self, lab, procs):
        self.lab = lab
        self.procs = procs
        self.host = lab.infra_address
        self.port = layout.POSTGRES_PORT
        self.base = lab.path("postgres")
        self.data = os.path.join(self.base, "data")

    def url(self, database):
        return f"postgresql+psycopg2://{USER}@{self.host}:{self.port}/{database}"

    def client_args(self):
        """How ``pg_dump``, ``pg_restore`` and ``psql`` reach the cluster (trust, loopback)."""
        return ["-h", self.host, "-p", str(self.port), "-U", USER]

    def _check_reachable(self):
        """The ``postgres`` user must be able to walk down to DIR (tmp dirs are often 0700)."""
        path = os.path.dirname(os.path.abspath(self.base))
        uid = pwd.getpwnam(USER).pw_uid
        while True:
            mode = os.stat(path)
            if os.stat(path).st_uid != uid and not mode.st_mode & stat.S_IXOTH:
                raise PostgresError(
                    f"the {USER} user cannot enter {path} (mode {stat.filemode(mode.st_mode)}); "
                    f"use a --workdir it can reach, or chmod o+x {path}"
                )
            if path == "/":
                return
            path = os.path.dirname(path)

    def init(self):
        """Create the cluster once; later runs reuse it."""
        if os.path.exists(os.path.join(self.data, "PG_VERSION")):
            return False
        programs = bin_dir()
        if programs is None:
            raise PostgresError("PostgreSQL is not installed: apt-get install postgresql")
        self._check_reachable()
        shutil.rmtree(self.base, ignore_errors=True)
        os.makedirs(self.base)
        user = pwd.getpwnam(USER)
        os.chown(self.base, user.pw_uid, user.pw_gid)
        result = subprocess.run(
            [f"{programs}/initdb", "-D", self.data, "-A", "trust", "-U", USER, "-E", "UTF8",
             "--locale=C", "-N"],
            user=USER, group=USER, extra_groups=[], cwd=self.base,
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise PostgresError(f"initdb failed: {result.stderr.strip() or result.stdout}")
        return True

    def start(self):
        settings = {
            "listen_addresses": self.host,
            "port": self.port,
            "unix_socket_directories": "",
            "max_connections": 400,
            "shared_buffers": "64MB",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "log_min_error_statement": "panic",  # never echo a statement into the log
        }
        argv = [f"{bin_dir()}/postgres", "-D", self.data]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self.procs.start(NAME, argv, cwd=self.base, user=USER)

    def wait(self, timeout=30):
        processes.wait_for_port(
            self.host, self.port, timeout, alive=lambda: not self.procs.exited(NAME), what=NAME
        )
        # The port opens before the cluster accepts logins; retry the first connection.
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            try:
                self._connect("postgres").close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self):
        return self.procs.stop(NAME, signum=signal.SIGINT, group=False)

    def _connect(self, database):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=USER, dbname=database)

    def execute(self, *statements, database="postgres"):
        conn = self._connect(database)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    if isinstance(statement, tuple):
                        cursor.execute(*statement)
                    else:
                        cursor.execute(statement)
        finally:
            conn.close()

    def query(self, statement, args=(), database="postgres"):
        conn = self._connect(database)
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement, args)
                return cursor.fetchall()
        finally:
            conn.close()

    def databases(self):
        conn = self._connect("postgres")
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT datname FROM pg_database")
                return {row[0] for row in cursor.fetchall()}
        finally:
            conn.close()

    def create(self, database, template=None):
        """Create ``database`` (empty, or as a copy of ``template``); drop a stale one first."""
        copy = f" TEMPLATE {template}" if template else ""
        self.execute(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}{copy}")
