"""Glance of one cloud: config (file store in DIR), paste pipeline, schema, uWSGI."""

import os

from osc_scope.lab import common, ini, uwsgi

__all__ = ["write_config", "migrate_commands", "processes"]


def _etc(cloud):
    return cloud.path("etc", "glance")


def write_config(ctx, cloud):
    paste = common.copy_paste_ini(
        os.path.join(ctx.venv, "etc", "glance", "glance-api-paste.ini"),
        os.path.join(_etc(cloud), "glance-api-paste.ini"),
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
    ini.write(os.path.join(_etc(cloud), "glance-api.conf"), sections)
    uwsgi.write_ini(
        os.path.join(_etc(cloud), "uwsgi.ini"),
        address=cloud.address,
        port=cloud.backend_port("image"),
        mount="/image",
        module="glance.wsgi.api:application",
        env={"OS_GLANCE_CONFIG_DIR": _etc(cloud)},
        uploads=True,
    )


def migrate_commands(ctx, cloud):
    conf = os.path.join(_etc(cloud), "glance-api.conf")
    return [[ctx.bin("glance-manage"), "--config-file", conf, "db_sync"]]


def processes(ctx, cloud):
    return [
        common.ProcessSpec(
            f"{cloud.name}-glance",
            uwsgi.argv(os.path.join(_etc(cloud), "uwsgi.ini")),
            dict(os.environ),
            cloud.backend_port("image"),
            cloud.address,
        )
    ]
