"""Neutron (API only, ML2, no agents) of one cloud: config and schema.

Ports are bound by the lab's own ML2 mechanism driver (``osc_scope.lab.ml2``), so boots
with ``--nic net-id=`` reach ACTIVE without any agent.
"""

import os

from osc_scope.lab import common, ini
from osc_scope.lab.service import Service

__all__ = ["SERVICE", "MECHANISM_DRIVER"]

MECHANISM_DRIVER = "osc_scope_lab"
CONFIG_FILES = ("neutron.conf", "ml2_conf.ini")


def _files(cloud):
    return [SERVICE.etc(cloud, name) for name in CONFIG_FILES]


def _write_config(ctx, cloud):
    paste = common.copy_paste_ini(
        os.path.join(ctx.venv, "etc", "neutron", "api-paste.ini"),
        SERVICE.etc(cloud, "api-paste.ini"),
    )
    sections = common.common_sections(ctx, cloud, "neutron")
    sections["DEFAULT"].update(
        {
            "core_plugin": "ml2",
            "service_plugins": "",
            "auth_strategy": "keystone",
            "api_paste_config": paste,
            "state_path": cloud.path("neutron"),
            "host": cloud.compute_host,
            "transport_url": ctx.transport_url(cloud.name),
            "notify_nova_on_port_status_changes": False,
            "notify_nova_on_port_data_changes": False,
            "dhcp_agent_notification": False,
        }
    )
    sections.update(
        {
            "database": {"connection": ctx.db_url(cloud.database("neutron"))},
            **common.authtoken_sections(ctx, cloud, "neutron"),
            "nova": common.service_auth(ctx, cloud, "neutron"),
            "placement": common.service_auth(ctx, cloud, "neutron"),
        }
    )
    conf, ml2 = _files(cloud)
    ini.write(conf, sections)
    ini.write(
        ml2,
        {
            "ml2": {
                "type_drivers": "local,flat",
                "project_network_types": "local",
                "mechanism_drivers": MECHANISM_DRIVER,
                "extension_drivers": "port_security",
            },
            "ml2_type_flat": {"flat_networks": "*"},
        },
    )


def _migrate_commands(ctx, cloud):
    """``neutron-db-manage`` around its MySQL-only step (``osc_scope.lab.setup.neutron``)."""
    return [[ctx.bin("python"), "-m", "osc_scope.lab.setup.neutron", *_files(cloud)]]


SERVICE = Service(
    "neutron", "network", databases=("neutron",),
    catalog_path="/", frontend_port=9696, backend_port=9697,  # alone on its port
    wsgi="osc_scope.lab.wsgi.neutron:application",
    env={"OS_NEUTRON_CONFIG_DIR": "{etc}", "OS_NEUTRON_CONFIG_FILES": ";".join(CONFIG_FILES)},
    write_config=_write_config, migrate=_migrate_commands,
)  # fmt: skip
