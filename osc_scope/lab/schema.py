"""Database schemas: migrated once for the first cloud, copied for the others.

Every cloud runs the same releases, so their schemas are equal: PostgreSQL copies a database
(``CREATE DATABASE ... TEMPLATE``) in a fraction of the time migrations take. Only Nova's
cell mappings name their cloud's databases and vhost, so they are rewritten in each copy.
Each service's schema is one job; the orchestrator runs them in parallel and starts a
service as soon as its own schema is there.
"""

import os
import subprocess

from osc_scope.lab import glance, keystone, neutron, nova, placement
from osc_scope.lab.processes import LabProcessError

__all__ = ["DATABASES", "run_logged", "prepare", "name_of"]

# service module -> databases it owns
DATABASES = {
    keystone: ("keystone",),
    glance: ("glance",),
    placement: ("placement",),
    nova: ("nova_api", "nova_cell0", "nova_cell1"),
    neutron: ("neutron",),
}


def name_of(module):
    return module.__name__.rsplit(".", 1)[-1]


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


def log_path(lab, module):
    return lab.path("log", f"schema-{name_of(module)}.log")


def prepare(ctx, pg, module):
    """Create and migrate ``module``'s databases for the first cloud, copy them for the rest."""
    first, *others = ctx.lab.clouds
    for name in DATABASES[module]:
        pg.create(first.database(name))
    for argv in module.migrate_commands(ctx, first):
        run_logged(argv, log_path(ctx.lab, module), what=f"{name_of(module)} schema")
    for cloud in others:
        for name in DATABASES[module]:
            pg.create(cloud.database(name), template=first.database(name))
        if module is nova:
            nova.fix_cell_mappings(ctx, cloud, pg.execute)
