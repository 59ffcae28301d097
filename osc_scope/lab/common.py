"""What every service config shares: token validation, service credentials, paste files.

``Context`` carries the lab-wide facts a config writer needs (database and message bus URLs,
passwords), so the per-service modules only say what is particular to their service.
"""

import dataclasses
import hashlib
import os
import re
import sys

from osc_scope.lab import trust
from osc_scope.lab.credentials import Credentials

__all__ = ["Context", "authtoken_sections", "service_auth", "copy_paste_ini", "venv_bin"]

# Every service validates tokens with the scope-aware filter (Placement through its own
# entry point, osc_scope.middleware.placement).
SCOPED_AUTHTOKEN = "osc_scope.middleware.auth_token:filter_factory"


def venv_bin(name):
    """A console script of the Python running the lab (its venv has the services)."""
    return os.path.join(os.path.dirname(sys.executable), name)


@dataclasses.dataclass
class Context:
    lab: object  # layout.Lab
    creds: Credentials
    db_url: object  # callable(database) -> URL
    transport_url: object  # callable(vhost) -> URL
    services: tuple  # stack.SERVICES: every service of a cloud

    @property
    def venv(self):
        return os.path.dirname(os.path.dirname(sys.executable))

    bin = staticmethod(venv_bin)


def _password_auth(auth_url, username, password, region):
    return {
        "auth_type": "password",
        "auth_url": auth_url,
        "username": username,
        "password": password,
        "user_domain_name": "Default",
        "project_name": "service",
        "project_domain_name": "Default",
        "region_name": region,
        "interface": "public",
    }


def service_auth(ctx, cloud, user):
    """``user``'s credentials in ``cloud``'s Keystone, for a client section ([placement],
    [neutron], [nova], ...) or a token validation section."""
    return _password_auth(
        cloud.url("identity"), user, ctx.creds.service_password(cloud.name, user), cloud.name
    )


def authtoken_sections(ctx, cloud, service):
    """[keystone_authtoken] for the local cloud plus one section per other cloud.

    Every Keystone is reached through its cloud's HAProxy frontend. The per-cloud sections
    and [scoped_authtoken] are read by the scope-aware middleware; each other cloud's tokens
    get the default trust policy, unless ``DIR/trust.json`` says otherwise (``lab.trust``).
    """
    local = dict(
        service_auth(ctx, cloud, service),
        www_authenticate_uri=cloud.url("identity"),
        service_type=None,
    )
    sections = {"keystone_authtoken": local}
    others = [c for c in ctx.lab.clouds if c.name != cloud.name]
    for other in others:
        user = Credentials.remote_user(service, cloud.name)
        sections[f"keystone_authtoken:{other.name}"] = dict(
            service_auth(ctx, other, user),
            www_authenticate_uri=other.url("identity"),
            **trust.overrides(ctx.lab, cloud.name, other.name),
        )
    sections["scoped_authtoken"] = {
        "local_cloud": cloud.name,
        "remote_clouds": [o.name for o in others],
    }
    return sections


def copy_paste_ini(source, target, factory=SCOPED_AUTHTOKEN):
    """Copy a service's shipped paste file, its ``authtoken`` filter set to ``factory``."""
    with open(source) as stream:
        text = stream.read()
    text, count = re.subn(
        r"(\[filter:authtoken\]\s*\npaste\.filter_factory\s*=\s*)\S+",
        lambda m: m.group(1) + factory,
        text,
    )
    if count != 1:
        raise RuntimeError(f"{source}: no [filter:authtoken] section to point at {factory}")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as stream:
        stream.write(text)
    return target


def common_sections(ctx, cloud, service):
    """[DEFAULT]-level settings all services share: logs to stderr (the lab's log file)."""
    os.makedirs(cloud.path("lock", service), exist_ok=True)
    os.makedirs(cloud.path(service), exist_ok=True)
    return {
        "DEFAULT": {"debug": False, "use_stderr": True},
        "oslo_concurrency": {"lock_path": cloud.path("lock", service)},
        "oslo_messaging_notifications": {"driver": "noop"},
    }


def config_digest(directory):
    """A digest of every file under ``directory``: a process is restarted when it changes."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as stream:
                digest.update(name.encode() + b"\0" + stream.read())
    return digest.hexdigest()
