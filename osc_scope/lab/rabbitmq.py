"""The lab's RabbitMQ: one node in ``DIR/rabbitmq``, one vhost per cloud (Nova's bus).

The node, its own ``epmd`` (on a private port, so the lab leaves no daemon behind) and its
users and vhosts (a definitions file read at boot: no ``rabbitmqctl`` round trips) all live
in the lab's directory.
"""

import base64
import hashlib
import json
import os
import secrets

from osc_scope.lab import layout, processes

__all__ = ["RabbitMQ"]

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
EPMD = "/usr/bin/epmd"
USER = "lab"


def _password_hash(password):
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password))."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


class RabbitMQ:
    def __init__(self, lab, procs, password):
        self.lab = lab
        self.procs = procs
        self.password = password
        self.host = lab.infra_address
        self.port = layout.AMQP_PORT
        self.base = lab.path("rabbitmq")

    def transport_url(self, vhost):
        return f"rabbit://{USER}:{self.password}@{self.host}:{self.port}/{vhost}"

    def _write_config(self):
        os.makedirs(self.base, exist_ok=True)
        definitions = {
            "users": [
                {
                    "name": USER,
                    "password_hash": _password_hash(self.password),
                    "hashing_algorithm": "rabbit_password_hashing_sha256",
                    "tags": ["administrator"],
                }
            ],
            "vhosts": [{"name": c.name} for c in self.lab.clouds],
            "permissions": [
                {"user": USER, "vhost": c.name, "configure": ".*", "write": ".*", "read": ".*"}
                for c in self.lab.clouds
            ],
        }
        path = os.path.join(self.base, "definitions.json")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as stream:
            json.dump(definitions, stream)
        with open(os.path.join(self.base, "rabbitmq.conf"), "w") as stream:
            stream.write(
                f"listeners.tcp.1 = {self.host}:{self.port}\n"
                f"load_definitions = {path}\n"
                "log.console = true\n"
                "log.file = false\n"
                "log.console.level = warning\n"
            )
        with open(os.path.join(self.base, "enabled_plugins"), "w") as stream:
            stream.write("[].\n")

    def _env(self):
        node = f"osclab{layout.AMQP_PORT}"
        return dict(
            os.environ,
            HOME=self.base,
            RABBITMQ_NODENAME=f"{node}@localhost",
            RABBITMQ_CONF_ENV_FILE="/dev/null",
            RABBITMQ_CONFIG_FILE=os.path.join(self.base, "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=os.path.join(self.base, "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.base, "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=os.path.join(self.base, "mnesia"),
            RABBITMQ_LOG_BASE=os.path.join(self.base, "log"),
            RABBITMQ_PID_FILE=os.path.join(self.base, "rabbitmq.pid"),
            RABBITMQ_DIST_PORT=str(layout.ERLANG_DIST_PORT),
            ERL_EPMD_PORT=str(layout.EPMD_PORT),
            ERL_EPMD_ADDRESS=self.host,
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=(
                "-kernel inet_dist_use_interface {" + self.host.replace(".", ",") + "}"
            ),
        )

    def start(self):
        self._write_config()
        self.procs.start(
            "epmd", [EPMD, "-port", str(layout.EPMD_PORT), "-address", self.host], cwd=self.base
        )
        processes.wait_for_port(self.host, layout.EPMD_PORT, 10, what="epmd")
        self.procs.start("rabbitmq", [SERVER], env=self._env(), cwd=self.base)

    def wait(self, timeout=60):
        processes.wait_for_port(
            self.host,
            self.port,
            timeout,
            alive=lambda: not self.procs.exited("rabbitmq"),
            what="rabbitmq",
        )

    def stop(self):
        self.procs.stop("rabbitmq")
        self.procs.stop("epmd")
