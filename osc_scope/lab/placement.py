"""Placement of one cloud: config and schema, served by the scope-aware entry point.

Placement builds its token filter in code, not from a paste file, so the scope-aware
filter comes with ``osc_scope.middleware.placement:application`` (the entry point the
README gives operators), not from the config.
"""

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
    wsgi="osc_scope.middleware.placement:application", env={"OS_PLACEMENT_CONFIG_DIR": "{etc}"},
    write_config=_write_config, migrate=_migrate_commands,
)  # fmt: skip
