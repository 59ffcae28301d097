"""Where every part of the lab lives: addresses, ports, URLs, directories.

One cloud per loopback address (CloudOne 127.0.0.1, CloudTwo 127.0.0.2, ...), so every cloud
keeps the same standard ports. HAProxy owns the standard ports (what the catalog lists); the
real services listen on other ports of the same address, behind it.
"""

import dataclasses
import ipaddress
import json
import os

from osc_scope.lab import stack

__all__ = ["Cloud", "Lab", "SERVICES", "DEFAULT_CLOUDS"]

DEFAULT_CLOUDS = ("CloudOne", "CloudTwo")

# service type -> (catalog path on the frontend, frontend port, backend port), from the
# services' declarations. The backends are mounted under the same path, so HAProxy
# forwards paths unchanged.
SERVICES = {
    s.service_type: (s.catalog_path, s.frontend_port, s.backend_port) for s in stack.SERVICES
}

POSTGRES_PORT = 55432
AMQP_PORT = 55672
EPMD_PORT = 55669
ERLANG_DIST_PORT = 55671


@dataclasses.dataclass(frozen=True)
class Cloud:
    """One cloud of the lab: its name is its Keystone region."""

    name: str
    address: str
    workdir: str

    @property
    def slug(self):
        """Lower-case name for database names and host names."""
        return self.name.lower().replace("-", "_").replace(".", "_")

    def url(self, service_type):
        """The catalog URL of a service: the cloud's HAProxy frontend."""
        path, port, _ = SERVICES[service_type]
        host = self.address if port == 80 else f"{self.address}:{port}"
        return f"http://{host}{path}"

    def backend(self, service_type):
        """``host:port`` of the real service behind HAProxy."""
        return f"{self.address}:{SERVICES[service_type][2]}"

    def backend_port(self, service_type):
        return SERVICES[service_type][2]

    def frontend_ports(self):
        return sorted({port for _, port, _ in SERVICES.values()})

    @property
    def auth_url(self):
        return self.url("identity") + "/v3"

    @property
    def direct_auth_url(self):
        """Keystone without HAProxy: used while the routers are not built yet."""
        return f"http://{self.backend('identity')}{SERVICES['identity'][0]}/v3"

    @property
    def compute_host(self):
        return f"{self.slug}-compute"

    def path(self, *parts):
        return os.path.join(self.workdir, self.name, *parts)

    def process_name(self, part):
        """The name of one of the cloud's processes (``CloudOne-nova-compute``): its PID
        file, its log file and its job in ``lab up``."""
        return f"{self.name}-{part}"

    def database(self, service):
        return f"{self.slug}_{service}"


@dataclasses.dataclass(frozen=True)
class Lab:
    """The whole lab in ``workdir``: its clouds and the shared PostgreSQL and RabbitMQ."""

    workdir: str
    cloud_names: tuple
    first_address: str = "127.0.0.1"
    wan: bool = False  # each cloud's edge in its own network namespace (osc_scope.lab.mesh)
    wan_netem: str = ""  # tc netem arguments for every WAN link, each direction

    @property
    def clouds(self):
        first = ipaddress.ip_address(self.first_address)
        return [
            Cloud(name, str(first + index), self.workdir)
            for index, name in enumerate(self.cloud_names)
        ]

    def cloud(self, name):
        return next(c for c in self.clouds if c.name == name)

    @property
    def mesh(self):
        """The lab's WAN, whether it is on or not (``lab down`` removes what is left)."""
        from osc_scope.lab import mesh  # iproute2 work: only for labs that use it

        return mesh.Mesh(self.workdir, self.cloud_names)

    @property
    def infra_address(self):
        """PostgreSQL and RabbitMQ listen on the first cloud's address, on high ports."""
        return self.first_address

    def path(self, *parts):
        return os.path.join(self.workdir, *parts)

    @property
    def state_file(self):
        return self.path("lab.json")

    @property
    def clouds_yaml(self):
        return self.path("clouds.yaml")

    def save(self):
        os.makedirs(self.workdir, exist_ok=True)
        with open(self.state_file, "w") as stream:
            json.dump(
                {
                    "clouds": list(self.cloud_names),
                    "first_address": self.first_address,
                    "wan": self.wan,
                    "wan_netem": self.wan_netem,
                },
                stream,
                indent=1,
            )

    @classmethod
    def load(cls, workdir):
        """The lab recorded in ``workdir``, or None when there is none."""
        workdir = os.path.abspath(workdir)
        try:
            with open(os.path.join(workdir, "lab.json")) as stream:
                saved = json.load(stream)
        except FileNotFoundError:
            return None
        return cls(
            workdir,
            tuple(saved["clouds"]),
            saved.get("first_address", "127.0.0.1"),
            saved.get("wan", False),
            saved.get("wan_netem", ""),
        )
