"""Database schemas: migrated once for the first cloud, copied for the others.

Every cloud runs the same releases, so their schemas are equal: PostgreSQL copies a database
(``CREATE DATABASE ... TEMPLATE``) in a fraction of the time migrations take. What names its
cloud in a copy (Nova's cell mappings) is fixed by the service's ``adopt_copy``. Each
service's schema is one job; the orchestrator runs them in parallel and starts a service as
soon as its own schema is there.
"""

import os
import subprocess

from osc_scope.lab.processes import LabProcessError

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


def prepare(ctx, pg, service):
    """Create and migrate ``service``'s databases for the first cloud, copy them for the rest."""
    first, *others = ctx.lab.clouds
    for name in service.databases:
        pg.create(first.database(name))
    for argv in service.migrate(ctx, first):
        run_logged(argv, log_path(ctx.lab, service), what=f"{service.name} schema")
    for cloud in others:
        for name in service.databases:
            pg.create(cloud.database(name), template=first.database(name))
        if service.adopt_copy is not None:
            service.adopt_copy(ctx, cloud, pg.execute)
