"""Placement of one cloud: config, schema (uWSGI through the lab's WSGI wrapper)."""

from osc_scope.lab import common, ini
from osc_scope.lab.service import Service

__all__ = ["SERVICE"]


def _conf(cloud):
    return SERVICE.etc(cloud, "placement.conf")


def _write_config(ctx, cloud):
    sections = common.common_sections(ctx, cloud, "placement")
    sections.update(
        {
            "placement_database": {"connection": ctx.db_url(cloud.database("placement"))},
            "api": {"auth_strategy": "keystone"},
            **common.authtoken_sections(ctx, cloud, "placement"),
        }
    )
    ini.write(_conf(cloud), sections)


def _migrate_commands(ctx, cloud):
    return [[ctx.bin("placement-manage"), "--config-file", _conf(cloud), "db", "sync"]]


SERVICE = Service(
    "placement", "placement", databases=("placement",),
    catalog_path="/placement", frontend_port=80, backend_port=8779,
    wsgi="osc_scope.lab.wsgi.placement:application",
    env={"OS_PLACEMENT_CONFIG_DIR": "{etc}",
         "OSC_SCOPE_LAB_AUTHTOKEN": common.authtoken_factory()},
    write_config=_write_config, migrate=_migrate_commands,
)  # fmt: skip
