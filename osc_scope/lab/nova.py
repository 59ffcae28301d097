"""Nova of one cloud with the fake virt driver: config, cells, schema, four processes.

Nova reaches Glance, Neutron and Placement through the cloud's own HAProxy frontend
(``endpoint_override``), not through the catalog of the user's token: a token issued by
another cloud's Keystone lists only that cloud's region, and Nova's lookup of its own
region in that catalog would fail.
"""

import os

from osc_scope.lab import common, ini
from osc_scope.lab.service import Daemon, Service

__all__ = ["SERVICE", "COMPUTE"]

CONF = "nova.conf"
COMPUTE_CONF = "nova-compute.conf"  # without the database sections
# Registers with Placement through the cloud's HAProxy as it starts.
COMPUTE = Daemon("nova-compute", COMPUTE_CONF, after_routers=True)


def _conf(cloud):
    return SERVICE.etc(cloud, CONF)


def cell_urls(ctx, cloud):
    return {
        "cell0": (ctx.db_url(cloud.database("nova_cell0")), "none:///"),
        "cell1": (ctx.db_url(cloud.database("nova_cell1")), ctx.transport_url(cloud.name)),
    }


def _write_config(ctx, cloud):
    paste = common.copy_paste_ini(
        os.path.join(ctx.venv, "etc", "nova", "api-paste.ini"),
        SERVICE.etc(cloud, "api-paste.ini"),
    )
    sections = common.common_sections(ctx, cloud, "nova")
    os.makedirs(cloud.path("nova", "instances"), exist_ok=True)
    sections["DEFAULT"].update(
        {
            "host": cloud.compute_host,
            "my_ip": cloud.address,
            "transport_url": ctx.transport_url(cloud.name),
            "compute_driver": "fake.FakeDriverWithoutFakeNodes",
            "state_path": cloud.path("nova"),
            "instances_path": cloud.path("nova", "instances"),
            "periodic_fuzzy_delay": 0,
            "report_interval": 2,
            "vif_plugging_is_fatal": False,
            "vif_plugging_timeout": 0,
        }
    )
    client = {"valid_interfaces": "public", "region_name": cloud.name}
    sections.update(
        {
            "api_database": {"connection": ctx.db_url(cloud.database("nova_api"))},
            "database": {"connection": ctx.db_url(cloud.database("nova_cell1"))},
            "api": {"auth_strategy": "keystone"},
            "wsgi": {"api_paste_config": paste},
            **common.authtoken_sections(ctx, cloud, "nova"),
            "placement": dict(
                common.service_auth(ctx, cloud, "nova"),
                endpoint_override=cloud.url("placement"),
            ),
            "glance": dict(client, endpoint_override=cloud.url("image")),
            "neutron": dict(
                common.service_auth(ctx, cloud, "nova"),
                endpoint_override=cloud.url("network").rstrip("/"),
            ),
            # Nova's own token beside the user's on its calls (as devstack sets it): Neutron
            # lets a member delete a server's port only with it, and a user whose token
            # comes from another cloud is a member here (the trust policy drops admin).
            "service_user": dict(
                common.service_auth(ctx, cloud, "nova"), send_service_user_token=True
            ),
            "cinder": {"os_region_name": cloud.name},
            "scheduler": {"discover_hosts_in_cells_interval": 2, "workers": 1},
            "conductor": {"workers": 1},
            "quota": {"driver": "nova.quota.NoopQuotaDriver"},
            "vnc": {"enabled": False},
            "oslo_messaging_rabbit": {"heartbeat_timeout_threshold": 0},
        }
    )
    ini.write(_conf(cloud), sections)
    # nova-compute must not reach the databases (it goes through the conductor): its own file.
    compute = {k: v for k, v in sections.items() if k not in ("database", "api_database")}
    ini.write(SERVICE.etc(cloud, COMPUTE_CONF), compute)


def _migrate_commands(ctx, cloud):
    """API, cell0 and cell1 schemas and the cell mappings (``osc_scope.lab.setup.nova``).

    cell1's message bus is left ``none:///`` here (its URL holds the bus password, and the
    schema may be saved for other labs); ``_adopt`` sets it."""
    cell0_database = cell_urls(ctx, cloud)["cell0"][0]
    return [
        [ctx.bin("python"), "-m", "osc_scope.lab.setup.nova", _conf(cloud), cell0_database,
         "none:///"]
    ]  # fmt: skip


def _adopt(ctx, cloud, execute):
    """Point the cell mappings of ``cloud``'s copy at its own databases and message bus."""
    for name, (database, transport) in cell_urls(ctx, cloud).items():
        execute(
            (
                "UPDATE cell_mappings SET database_connection = %s, transport_url = %s "
                "WHERE name = %s",
                (database, transport, name),
            ),
            database=cloud.database("nova_api"),
        )


SERVICE = Service(
    "nova", "compute", databases=("nova_api", "nova_cell0", "nova_cell1"),
    catalog_path="/compute/v2.1", frontend_port=80, backend_port=8775, mount="/compute",
    wsgi="nova.wsgi.osapi_compute:application", api_name="nova-api",
    env={"OS_NOVA_CONFIG_DIR": "{etc}", "OS_NOVA_CONFIG_FILES": f"api-paste.ini;{CONF}"},
    daemons=(Daemon("nova-conductor", CONF), Daemon("nova-scheduler", CONF), COMPUTE),
    write_config=_write_config, migrate=_migrate_commands, adopt=_adopt,
)  # fmt: skip
