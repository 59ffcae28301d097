"""Placement of one cloud: config, schema, uWSGI (through the lab's WSGI wrapper)."""

import os

from osc_scope.lab import common, ini, uwsgi

__all__ = ["write_config", "migrate_commands", "processes"]


def _etc(cloud):
    return cloud.path("etc", "placement")


def write_config(ctx, cloud):
    sections = common.common_sections(ctx, cloud, "placement")
    sections.update(
        {
            "placement_database": {"connection": ctx.db_url(cloud.database("placement"))},
            "api": {"auth_strategy": "keystone"},
            **common.authtoken_sections(ctx, cloud, "placement"),
        }
    )
    ini.write(os.path.join(_etc(cloud), "placement.conf"), sections)
    uwsgi.write_ini(
        os.path.join(_etc(cloud), "uwsgi.ini"),
        address=cloud.address,
        port=cloud.backend_port("placement"),
        mount="/placement",
        module="osc_scope.lab.wsgi.placement:application",
        env={
            "OS_PLACEMENT_CONFIG_DIR": _etc(cloud),
            "OSC_SCOPE_LAB_AUTHTOKEN": common.authtoken_factory(),
        },
    )


def migrate_commands(ctx, cloud):
    conf = os.path.join(_etc(cloud), "placement.conf")
    return [[ctx.bin("placement-manage"), "--config-file", conf, "db", "sync"]]


def processes(ctx, cloud):
    return [
        common.ProcessSpec(
            f"{cloud.name}-placement",
            uwsgi.argv(os.path.join(_etc(cloud), "uwsgi.ini")),
            dict(os.environ),
            cloud.backend_port("placement"),
            cloud.address,
        )
    ]
