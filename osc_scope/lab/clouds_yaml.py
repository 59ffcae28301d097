"""``DIR/clouds.yaml``: one entry per cloud, named after it, through its HAProxy frontend.

``CloudOne`` and ``CloudTwo`` log in as the lab's admin; ``CloudOne-demo`` and
``CloudTwo-demo`` as the demo user, a member of the ``demo`` project.
"""

import os

import yaml

__all__ = ["write"]


def _entry(cloud, username, password, project):
    return {
        "auth": {
            "auth_url": cloud.url("identity"),
            "username": username,
            "password": password,
            "project_name": project,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": cloud.name,
        "identity_api_version": "3",
        "interface": "public",
    }


def write(lab, creds):
    clouds = {}
    for cloud in lab.clouds:
        clouds[cloud.name] = _entry(cloud, "admin", creds.admin_password, "admin")
    for cloud in lab.clouds:
        clouds[f"{cloud.name}-demo"] = _entry(cloud, "demo", creds.demo_password, "demo")
    fd = os.open(lab.clouds_yaml, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as stream:
        yaml.safe_dump({"clouds": clouds}, stream, sort_keys=False)
    return lab.clouds_yaml
