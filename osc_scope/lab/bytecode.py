"""The services' Python bytecode, compiled once before the lab starts them.

Every process of the lab imports thousands of modules. A venv installed without ``.pyc``
files (``uv pip install``, ``pip --no-compile``, container images that also set
``PYTHONDONTWRITEBYTECODE`` so none is ever written) makes each process compile its imports
from source at every start: here a clean ``lab up`` then costs 82 s of CPU instead of 35 s.
Compiling the venv once (``compileall``, ~25 s of CPU here) fixes that for every later
start; when the bytecode is there, the check costs a few ``stat`` calls.
"""

import importlib.util
import os
import subprocess
import sys
import sysconfig

__all__ = ["stale", "compile_venv", "ensure"]

# Packages every lab imports; their bytecode stands for the venv's.
SENTINELS = ("keystone", "glance", "placement", "nova", "neutron", "oslo_config", "sqlalchemy")


def stale(names=SENTINELS):
    """The packages among ``names`` whose ``__init__`` has no up-to-date bytecode."""
    found = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        cached = importlib.util.cache_from_source(spec.origin)
        try:
            if os.stat(cached).st_mtime >= os.stat(spec.origin).st_mtime:
                continue
        except OSError:
            pass
        found.append(name)
    return found


def compile_venv(log, directories=None):
    """``compileall`` the venv's site-packages (both cores); compile errors of odd files
    (test data in old syntax) are left in ``log``."""
    directories = directories or sorted({sysconfig.get_path("purelib"),
                                         sysconfig.get_path("platlib")})  # fmt: skip
    with open(log, "ab") as stream:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "0", *directories],
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )


def ensure(log, progress):
    """Compile the venv when its bytecode is missing; say so, it takes a while once."""
    missing = stale()
    if not missing:
        return
    progress(f"compiling the venv's Python bytecode once (none for {', '.join(missing)})")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    compile_venv(log)
    if stale():
        progress(f"bytecode still missing (cannot write to the venv?), see {log}")
