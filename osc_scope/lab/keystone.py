"""Keystone of one cloud: config, fernet keys, schema, bootstrap and the lab's content."""

import base64
import json
import os
import secrets

from osc_scope.lab import common, ini
from osc_scope.lab.credentials import Credentials
from osc_scope.lab.service import Service

__all__ = ["SERVICE"]


def _key_repository(path):
    """A fernet key repository as ``keystone-manage fernet_setup`` makes it (0 staged, 1
    primary), written directly: two keystone-manage runs cost ~4 s of CPU per cloud."""
    if os.path.exists(os.path.join(path, "1")):
        return
    os.makedirs(path, mode=0o700, exist_ok=True)
    for name in ("0", "1"):
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(os.path.join(path, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write(key)


def _conf(cloud):
    return SERVICE.etc(cloud, "keystone.conf")


def _write_config(ctx, cloud):
    fernet = cloud.path("keystone", "fernet-keys")
    credential = cloud.path("keystone", "credential-keys")
    _key_repository(fernet)
    _key_repository(credential)
    sections = common.common_sections(ctx, cloud, "keystone")
    del sections["oslo_concurrency"]
    sections.update(
        {
            "database": {"connection": ctx.db_url(cloud.database("keystone"))},
            "token": {"provider": "fernet", "expiration": 86400},
            "fernet_tokens": {"key_repository": fernet},
            "fernet_receipts": {"key_repository": fernet},
            "credential": {"key_repository": credential},
            # The lab's passwords are random; slow hashing would only slow every login.
            "identity": {"password_hash_algorithm": "bcrypt", "password_hash_rounds": 4},
            # Uncached, Keystone recomputes a token's roles and catalog with ~450 queries
            # per validation (~0.4 s of CPU here). One uWSGI worker, so a cache in its own
            # memory stays coherent: every write goes through it.
            "cache": {"enabled": True, "backend": "dogpile.cache.memory"},
        }
    )
    ini.write(_conf(cloud), sections)


def _migrate_commands(ctx, cloud):
    return [[ctx.bin("keystone-manage"), "--config-file", _conf(cloud), "db_sync"]]


def _setup(ctx, cloud):
    """keystone-manage bootstrap plus the lab's content (``osc_scope.lab.setup.keystone``),
    the spec on stdin (it holds passwords)."""
    argv = [ctx.bin("python"), "-m", "osc_scope.lab.setup.keystone", _conf(cloud)]
    return argv, json.dumps(setup_spec(ctx, cloud))


def setup_spec(ctx, cloud):
    """What the cloud's Keystone must hold: people, service users, catalog (JSON on stdin)."""
    creds, lab = ctx.creds, ctx.lab
    users = [{"name": "demo", "password": creds.demo_password, "project": "demo",
              "roles": ["member"]}]  # fmt: skip
    others = [s for s in ctx.services if s is not SERVICE]  # every one has a user
    for name in [s.name for s in others]:
        users.append(
            {"name": name, "password": creds.service_password(cloud.name, name),
             "project": "service", "roles": ["admin", "service"]}
        )  # fmt: skip
        for other in lab.clouds:
            if other.name != cloud.name:  # the other cloud's services validate our tokens
                remote = Credentials.remote_user(name, other.name)
                users.append(
                    {"name": remote, "password": creds.service_password(cloud.name, remote),
                     "project": "service", "roles": ["service"]}
                )  # fmt: skip
    return {
        "region": cloud.name,
        "identity_url": cloud.url("identity"),
        "admin_password": creds.admin_password,
        "roles": ["admin", "member", "reader", "service"],
        "projects": [
            {"name": "service", "description": "The services' own users"},
            {"name": "demo", "description": "The demo user's project"},
        ],
        "users": users,
        # identity's own entry is keystone-manage bootstrap's
        "services": [
            {"type": s.service_type, "name": s.name, "url": cloud.url(s.service_type)}
            for s in others
        ],
    }


SERVICE = Service(
    "keystone", "identity", databases=("keystone",),
    catalog_path="/identity", frontend_port=80, backend_port=5001,
    wsgi="keystone.wsgi.api:application", env={"OS_KEYSTONE_CONFIG_DIR": "{etc}"},
    write_config=_write_config, migrate=_migrate_commands, setup=_setup,
)  # fmt: skip
