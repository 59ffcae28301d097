"""What ``lab up`` needs installed, checked before it touches anything.

A plain ``pip install osc-scope`` has the router and the CLI but not the lab's OpenStack
services, and a machine may lack HAProxy, PostgreSQL or RabbitMQ. Without this check the
first missing file ends ``lab up`` in a traceback; with it, one line names what is missing
and the command that installs it.
"""

import importlib.util
import os
import sys

from osc_scope.lab import haproxy, postgres, rabbitmq
from osc_scope.lab.errors import LabError

__all__ = ["missing", "check"]

# Python modules of the ``lab`` extra (setup.cfg) that the lab imports or runs.
LAB_MODULES = ("keystone", "glance", "placement", "nova", "neutron", "psycopg2")


def _module_installed(name):
    return importlib.util.find_spec(name) is not None


def _executable(path):
    return path is not None and os.access(path, os.X_OK)


def _venv_script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def missing():
    """What is not installed: ``[(what, how)]``, ``how`` being ``("pip", extra)`` or
    ``("apt", package)``."""
    found = []
    modules = [m for m in LAB_MODULES if not _module_installed(m)]
    if modules or not _executable(_venv_script("uwsgi")):
        found.append((f"its Python packages ({', '.join(modules or ['uwsgi'])})",
                      ("pip", "lab")))  # fmt: skip
    if not _executable(haproxy.binary()):
        found.append(("haproxy", ("apt", "haproxy")))
    if postgres.bin_dir() is None:
        found.append(("PostgreSQL", ("apt", "postgresql")))
    if not (_executable(rabbitmq.SERVER) and _executable(rabbitmq.EPMD)):
        found.append(("RabbitMQ", ("apt", "rabbitmq-server")))
    return found


def _checkout():
    """The source checkout this osc-scope runs from (editable install), else None."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return root if os.path.exists(os.path.join(root, "setup.cfg")) else None


def _pip_command(extra):
    """The install command for this osc-scope: a checkout gets an editable install."""
    pip = f"{sys.executable} -m pip install"
    root = _checkout()
    return f"{pip} -e '{root}[{extra}]'" if root else f"{pip} 'osc-scope[{extra}]'"


def check():
    """Raise a one-line ``LabError`` naming what is missing and how to install it."""
    found = missing()
    if not found:
        return
    commands = [_pip_command(how[1]) for _, how in found if how[0] == "pip"]
    packages = [how[1] for _, how in found if how[0] == "apt"]
    if packages:
        commands.append(f"apt-get install {' '.join(packages)}")
    names = [what for what, _ in found]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    raise LabError(f"the lab needs {listed}, not installed here; run: {' && '.join(commands)}")
