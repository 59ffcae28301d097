"""Schemas kept across labs: keyed by what makes them, written whole, never trusted blindly.

``pg_dump`` and ``pg_restore`` are stand-in scripts here; the real ones run in tests/e2e.
"""

import os

import pytest

from osc_scope.lab import layout, schema, schema_cache, stack
from osc_scope.lab.service import Service

DUMP = """#!/bin/sh
# stand-in pg_dump: writes its arguments to the file after -f
while [ $# -gt 0 ]; do [ "$1" = -f ] && out=$2; shift; done
echo dumped > "$out"
"""
RESTORE = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/restored"
"""


def _service(migrate=None, adopt=None):
    return Service(
        "thing", "thing-type", catalog_path="/thing", frontend_port=80, backend_port=7001,
        wsgi="thing:application", env={}, databases=("thing_a", "thing_b"),
        write_config=lambda ctx, cloud: None, migrate=migrate or (lambda ctx, cloud: []),
        adopt=adopt,
    )  # fmt: skip


@pytest.fixture
def programs(tmp_path):
    bin_dir = tmp_path / "postgresql" / "15" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("pg_dump", DUMP), ("pg_restore", RESTORE)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return bin_dir


@pytest.fixture
def cache(tmp_path, programs):
    return schema_cache.SchemaCache(str(tmp_path / "cache"), str(programs), ["-h", "x"])


def test_the_key_follows_versions_postgresql_and_the_labs_migration_code(monkeypatch):
    nova = stack.by_type("compute")
    key = schema_cache.key(nova, "15")
    assert key == schema_cache.key(nova, "15")
    assert key != schema_cache.key(nova, "16")
    assert key != schema_cache.key(stack.by_type("network"), "15")
    versions = {"nova": "99.0.0"}
    monkeypatch.setattr(schema_cache, "_version", lambda d: versions.get(d, "1"))
    upgraded = schema_cache.key(nova, "15")
    versions["alembic"] = "2"
    assert len({key, upgraded, schema_cache.key(nova, "15")}) == 3
    monkeypatch.setattr(schema_cache, "_lab_migration_code", lambda service: "changed")
    assert schema_cache.key(nova, "15") not in (key, upgraded)


def test_a_saved_entry_is_restored_into_the_databases_given(cache, programs, tmp_path):
    service = _service()
    log = str(tmp_path / "log")
    assert not cache.has(service)
    assert cache.save(service, lambda name: f"cloudone_{name}", log)
    assert cache.has(service)
    entry = cache._entry(service)
    assert sorted(os.listdir(entry)) == ["thing_a.dump", "thing_b.dump"]
    assert not [n for n in os.listdir(os.path.dirname(entry)) if n.startswith(".")]
    cache.restore(service, lambda name: f"cloudtwo_{name}", log)
    restored = (programs / "restored").read_text().splitlines()
    assert restored[0].split()[-2:] == ["cloudtwo_thing_a", os.path.join(entry, "thing_a.dump")]
    assert restored[0].startswith("-h x ")
    cache.forget(service)
    assert not cache.has(service)


def test_a_failed_dump_leaves_nothing_behind(cache, programs, tmp_path):
    (programs / "pg_dump").write_text("#!/bin/sh\nexit 3\n")
    service = _service()
    assert not cache.save(service, lambda name: name, str(tmp_path / "log"))
    assert not cache.has(service)
    assert os.listdir(os.path.dirname(cache._entry(service))) == []


class _Postgres:
    def __init__(self):
        self.created = []
        self.executed = []

    def create(self, database, template=None):
        self.created.append((database, template))

    def execute(self, *statements, database="postgres"):
        self.executed.append(database)


class _Context:
    def __init__(self, workdir):
        self.lab = layout.Lab(workdir, ("CloudOne", "CloudTwo"))
        os.makedirs(self.lab.path("log"))


def test_an_entry_that_does_not_restore_is_dropped_and_the_migrations_run(cache, tmp_path):
    ctx, pg = _Context(str(tmp_path / "lab")), _Postgres()
    adopted = []
    service = _service(
        migrate=lambda ctx, cloud: [["true"]],
        adopt=lambda ctx, cloud, execute: adopted.append(cloud.name),
    )
    cache.save(service, lambda name: name, str(tmp_path / "log"))
    cache.restore = lambda *args, **kwargs: (_ for _ in ()).throw(
        schema_cache.SchemaCacheError("pg_restore failed")
    )
    assert schema.prepare(ctx, pg, service, cache) == "migrated"
    assert pg.created == [
        ("cloudone_thing_a", None), ("cloudone_thing_b", None),  # made for the restore
        ("cloudone_thing_a", None), ("cloudone_thing_b", None),  # made empty again
        ("cloudtwo_thing_a", "cloudone_thing_a"), ("cloudtwo_thing_b", "cloudone_thing_b"),
    ]  # fmt: skip
    assert adopted == ["CloudOne", "CloudTwo"]  # every copy names its own cloud
    assert cache.has(service)  # saved again from the migrated databases
