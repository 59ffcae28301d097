"""What the lab runs of one OpenStack service, declared once (``Service``).

Each service module (``keystone``, ``glance``, ...) ends with its declaration: where its API
is mounted and which WSGI application serves it, its ports, databases, uWSGI environment
and other processes, plus the functions that write its config and migrate its schema.
Everything else follows from it here: the config directory, the uWSGI ini, the process
specs and their names; the orchestrator turns the same declarations into jobs.
"""

import dataclasses
import signal
from collections.abc import Callable

from osc_scope.lab import uwsgi
from osc_scope.lab.common import venv_bin

__all__ = ["Daemon", "ProcessSpec", "Service"]


@dataclasses.dataclass(frozen=True)
class ProcessSpec:
    """A long-running process of a cloud; ``port`` (on ``address``) says it is up."""

    name: str
    argv: list
    config_dir: str  # a change under it restarts the process
    port: int | None = None
    address: str | None = None
    stop_signal: int = signal.SIGTERM


@dataclasses.dataclass(frozen=True)
class Daemon:
    """A console script of a service besides its API (``nova-conductor``)."""

    binary: str  # also the process name: <cloud>-<binary>
    config_file: str  # in the service's config directory
    # Started once the routers are up: it calls other services through HAProxy at start
    # (nova-compute registers with Placement), and after the service's other processes.
    after_routers: bool = False


@dataclasses.dataclass(frozen=True, eq=False)
class Service:
    """One OpenStack service of every cloud of the lab."""

    name: str  # project name: config directory etc/<name>, its user in Keystone
    service_type: str  # its catalog entry
    catalog_path: str  # path of its catalog URL on the cloud's HAProxy frontend
    frontend_port: int  # HAProxy's port (what the catalog lists)
    backend_port: int  # the service's own port, behind HAProxy
    wsgi: str  # ``module:application`` uWSGI serves
    env: dict  # uWSGI environment; ``{etc}`` stands for the config directory
    databases: tuple  # PostgreSQL databases, one set per cloud (``<cloud>_<name>``)
    write_config: Callable  # (ctx, cloud): the service's own files under etc/<name>
    migrate: Callable  # (ctx, cloud) -> argvs that create its schema
    mount: str | None = None  # uWSGI mount point, when not the catalog path
    api_name: str | None = None  # process name suffix of the API, when not ``name``
    uploads: bool = False  # streamed request bodies (Glance's image uploads)
    daemons: tuple = ()  # Daemon(...) run beside the API
    # (ctx, cloud) -> (argv, stdin text): run once per cloud after the schema, before the
    # routers are built (Keystone's bootstrap and catalog)
    setup: Callable | None = None
    # (ctx, cloud, execute): set what names its cloud in its copy of the schema (run for
    # every cloud; the migrated or cached schema names the first cloud, or nothing)
    adopt: Callable | None = None

    def etc(self, cloud, *parts):
        return cloud.path("etc", self.name, *parts)

    def configure(self, ctx, cloud):
        """Write every file the service's processes read."""
        self.write_config(ctx, cloud)
        uwsgi.write_ini(
            self.etc(cloud, "uwsgi.ini"),
            address=cloud.address,
            port=self.backend_port,
            mount=self.mount or self.catalog_path,
            application=self.wsgi,
            env={key: value.format(etc=self.etc(cloud)) for key, value in self.env.items()},
            uploads=self.uploads,
        )

    def api(self, cloud):
        """The API under uWSGI (stopped with SIGINT: on SIGTERM it lingers)."""
        return ProcessSpec(
            cloud.process_name(self.api_name or self.name),
            uwsgi.argv(self.etc(cloud, "uwsgi.ini")),
            self.etc(cloud),
            self.backend_port,
            cloud.address,
            signal.SIGINT,
        )

    def daemon(self, cloud, daemon):
        return ProcessSpec(
            cloud.process_name(daemon.binary),
            [venv_bin(daemon.binary), "--config-file", self.etc(cloud, daemon.config_file)],
            self.etc(cloud),
        )

    def processes(self, cloud):
        """Every process of the service in ``cloud``: the API first."""
        return [self.api(cloud), *(self.daemon(cloud, d) for d in self.daemons)]
