"""Glance of one cloud: config (file store in DIR), paste pipeline, schema."""

import os

from osc_scope.lab import common, ini
from osc_scope.lab.service import Service

__all__ = ["SERVICE"]


def _conf(cloud):
    return SERVICE.etc(cloud, "glance-api.conf")


def _write_config(ctx, cloud):
    paste = common.copy_paste_ini(
        os.path.join(ctx.venv, "etc", "glance", "glance-api-paste.ini"),
        SERVICE.etc(cloud, "glance-api-paste.ini"),
    )
    sections = common.common_sections(ctx, cloud, "glance")
    sections["DEFAULT"]["enabled_backends"] = "fs:file"
    sections.update(
        {
            "database": {"connection": ctx.db_url(cloud.database("glance"))},
            "glance_store": {"default_backend": "fs"},
            "fs": {"filesystem_store_datadir": cloud.path("glance", "images")},
            "os_glance_staging_store": {
                "filesystem_store_datadir": cloud.path("glance", "staging")
            },
            "os_glance_tasks_store": {"filesystem_store_datadir": cloud.path("glance", "tasks")},
            "paste_deploy": {"flavor": "keystone", "config_file": paste},
            **common.authtoken_sections(ctx, cloud, "glance"),
        }
    )
    ini.write(_conf(cloud), sections)


def _migrate_commands(ctx, cloud):
    return [[ctx.bin("glance-manage"), "--config-file", _conf(cloud), "db_sync"]]


SERVICE = Service(
    "glance", "image", databases=("glance",),
    catalog_path="/image", frontend_port=80, backend_port=9293,
    wsgi="glance.wsgi.api:application", env={"OS_GLANCE_CONFIG_DIR": "{etc}"}, uploads=True,
    write_config=_write_config, migrate=_migrate_commands,
)  # fmt: skip
