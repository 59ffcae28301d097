"""Migrated schemas kept across labs, as ``pg_dump`` files keyed by what made them.

The same releases of the services, migration tools and PostgreSQL make the same schemas,
so a lab restores the dumps an earlier lab saved (a second or so) instead of running the
migrations again (tens of seconds of CPU on a slow 2-core machine). The key is a digest of
those versions and of the lab's own migration code: any upgrade is a new key, so a stale
schema is never restored. The dumps hold no secret: they are taken before anything of a
lab's own (passwords, message bus URLs) is written.

Entries live in ``$OSC_SCOPE_CACHE_DIR`` (default ``$XDG_CACHE_HOME/osc-scope``, else
``~/.cache/osc-scope``) under ``lab-schemas/<key>/<service>/<database>.dump``; an entry is
written whole under another name and renamed into place, so labs running side by side
never read half of one.
"""

import hashlib
import importlib.metadata
import inspect
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

__all__ = ["SchemaCache", "cache_dir"]

# What shapes a schema besides the service itself.
TOOLS = ("alembic", "SQLAlchemy", "oslo.db", "psycopg2-binary", "neutron-lib")
SERVICE_DISTRIBUTIONS = {"placement": "openstack-placement"}  # others: the service's name


def cache_dir():
    explicit = os.environ.get("OSC_SCOPE_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "osc-scope")


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _lab_migration_code(service):
    """The lab's side of a migration: its command and the setup program it runs."""
    code = inspect.getsource(service.migrate)
    setup = pathlib.Path(__file__).parent / "setup" / f"{service.name}.py"
    if setup.exists():
        code += setup.read_text()
    return code


def key(service, postgres_version):
    """The digest of everything that makes ``service``'s migrated schema what it is."""
    made_of = {
        "service": service.name,
        "databases": list(service.databases),
        "versions": {
            d: _version(d) for d in (SERVICE_DISTRIBUTIONS.get(service.name, service.name), *TOOLS)
        },
        "postgresql": postgres_version,
        "lab": hashlib.sha256(_lab_migration_code(service).encode()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()[:24]


class SchemaCache:
    """The dumps of one PostgreSQL installation's schemas (``bin_dir``: its programs)."""

    def __init__(self, root, bin_dir, connection):
        self.root = os.path.join(root, "lab-schemas")
        self.bin_dir = bin_dir
        self.connection = connection  # ["-h", host, "-p", port, "-U", user]

    def _entry(self, service):
        postgres_version = os.path.basename(os.path.dirname(self.bin_dir))  # .../15/bin
        return os.path.join(self.root, key(service, postgres_version), service.name)

    def has(self, service):
        entry = self._entry(service)
        return all(os.path.exists(os.path.join(entry, f"{d}.dump")) for d in service.databases)

    def restore(self, service, database_of, log):
        """Load the saved schemas into the (new, empty) databases ``database_of(name)``."""
        entry = self._entry(service)
        for name in service.databases:
            self._run(
                "pg_restore", "--no-owner", "--exit-on-error", "-d", database_of(name),
                os.path.join(entry, f"{name}.dump"), log=log,
            )  # fmt: skip

    def save(self, service, database_of, log):
        """Dump the freshly migrated ``database_of(name)`` of ``service`` unless an entry
        exists; False when it could not (the lab goes on: the cache only saves time)."""
        entry = self._entry(service)
        if self.has(service):
            return True
        staging = None
        try:
            os.makedirs(os.path.dirname(entry), exist_ok=True)
            staging = tempfile.mkdtemp(prefix=f".{service.name}-", dir=os.path.dirname(entry))
            for name in service.databases:
                self._run(
                    "pg_dump", "--format=custom", "--no-owner", "-d", database_of(name),
                    "-f", os.path.join(staging, f"{name}.dump"), log=log,
                )  # fmt: skip
            os.rename(staging, entry)  # fails if another lab saved it first: keep theirs
            return True
        except (OSError, SchemaCacheError):
            return False
        finally:
            if staging and os.path.exists(staging):
                shutil.rmtree(staging, ignore_errors=True)

    def forget(self, service):
        """Drop an entry that could not be restored (it is made again on the next save)."""
        shutil.rmtree(self._entry(service), ignore_errors=True)

    def _run(self, program, *args, log):
        with open(log, "ab") as stream:
            result = subprocess.run(
                [os.path.join(self.bin_dir, program), *self.connection, *args],
                stdin=subprocess.DEVNULL,
                stdout=stream,
                stderr=subprocess.STDOUT,
            )
        if result.returncode:
            raise SchemaCacheError(f"{program} failed (exit {result.returncode})")


class SchemaCacheError(RuntimeError):
    """A dump could not be written or restored."""
