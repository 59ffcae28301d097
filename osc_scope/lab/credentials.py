"""The lab's passwords, made once per lab and kept in ``DIR/secrets.json`` (mode 0600).

The people (``admin``, ``demo``) have the same name and password in every cloud, as the
workflow needs. Each service has its own user in its own cloud, and one more user in every
other cloud (``glance-CloudTwo`` in CloudOne's Keystone) with which it validates that cloud's
tokens: no admin password is shared across clouds.
"""

import json
import os
import secrets

__all__ = ["Credentials", "load"]


class Credentials:
    def __init__(self, data):
        self.data = data

    @property
    def admin_password(self):
        return self.data["admin"]

    @property
    def demo_password(self):
        return self.data["demo"]

    @property
    def rabbit_password(self):
        return self.data["rabbit"]

    def service_password(self, cloud, user):
        """Password of ``user`` (``nova`` or ``nova-CloudTwo``) in ``cloud``'s Keystone."""
        return self.data["services"][cloud][user]

    @staticmethod
    def remote_user(service, home_cloud):
        """The user a service of ``home_cloud`` has in another cloud's Keystone."""
        return f"{service}-{home_cloud}"


def load(path, cloud_names, service_users):
    """Read the lab's secrets, adding what a new cloud or service needs."""
    try:
        with open(path) as stream:
            data = json.load(stream)
    except FileNotFoundError:
        data = {}
    changed = not data

    def make(container, key):
        nonlocal changed
        if key not in container:
            container[key] = secrets.token_urlsafe(18)
            changed = True

    for key in ("admin", "demo", "rabbit"):
        make(data, key)
    services = data.setdefault("services", {})
    for cloud in cloud_names:
        users = services.setdefault(cloud, {})
        for service in service_users:
            make(users, service)
            for other in cloud_names:
                if other != cloud:
                    make(users, Credentials.remote_user(service, other))
    if changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as stream:
            json.dump(data, stream, indent=1)
    return Credentials(data)
