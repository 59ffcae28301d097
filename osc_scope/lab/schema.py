"""Database schemas: restored from the cache or migrated, once, then copied per cloud.

Every cloud runs the same releases, so their schemas are equal: the first cloud's come from
an earlier lab's dumps (``schema_cache``) or, the first time, from the migrations (then
dumped for the next lab); PostgreSQL copies them for the other clouds (``CREATE DATABASE
... TEMPLATE``) in a fraction of the time migrations take. What names its cloud (Nova's cell
mappings) is then set in every cloud's copy by the service's ``adopt``. Each service's
schema is one job; the orchestrator runs them in parallel and starts a service as soon as
its own schema is there.
"""

import os
import subprocess

from osc_scope.lab.processes import LabProcessError
from osc_scope.lab.schema_cache import SchemaCacheError

__all__ = ["run_logged", "prepare", "log_path"]


def run_logged(argv, log_path, env=None, what=None, stdin_text=None):
    """Run a one-shot command, output appended to ``log_path``; fail naming that log."""
    with open(log_path, "ab") as log:
        log.write(f"--- {' '.join(os.path.basename(a) for a in argv[:4])}\n".encode())
        log.flush()
        result = subprocess.run(
            argv,
            input=stdin_text.encode() if stdin_text is not None else None,
            stdin=None if stdin_text is not None else subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    if result.returncode:
        raise LabProcessError(f"{what or argv[0]} failed (exit {result.returncode})")


def log_path(lab, service):
    return lab.path("log", f"schema-{service.name}.log")


def prepare(ctx, pg, service, cache=None):
    """Create ``service``'s databases in every cloud; returns "restored" (from ``cache``)
    or "migrated"."""
    first, *others = ctx.lab.clouds
    log = log_path(ctx.lab, service)
    for name in service.databases:
        pg.create(first.database(name))
    how = "restored" if cache is not None and _restore(cache, pg, service, first, log) else None
    if how is None:
        for argv in service.migrate(ctx, first):
            run_logged(argv, log, what=f"{service.name} schema")
        if cache is not None:
            cache.save(service, first.database, log)
        how = "migrated"
    for cloud in others:
        for name in service.databases:
            pg.create(cloud.database(name), template=first.database(name))
    if service.adopt is not None:
        for cloud in ctx.lab.clouds:
            service.adopt(ctx, cloud, pg.execute)
    return how


def _restore(cache, pg, service, cloud, log):
    """Load the cached schemas into ``cloud``'s new databases; False (the databases empty
    again, the entry dropped) when there is none or it does not load."""
    if not cache.has(service):
        return False
    try:
        cache.restore(service, cloud.database, log)
        return True
    except SchemaCacheError:
        cache.forget(service)
        for name in service.databases:
            pg.create(cloud.database(name))
        return False
