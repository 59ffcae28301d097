"""Nova of one cloud with the fake virt driver: config, cells, schema, four processes.

Nova reaches Glance, Neutron and Placement through the cloud's own HAProxy frontend
(``endpoint_override``), not through the catalog of the user's token: a token issued by
another cloud's Keystone lists only that cloud's region, and the catalog lookup would fail
(the identity-collaboration trap in FIELD-NOTES).
"""

import os

from osc_scope.lab import common, ini, uwsgi

__all__ = ["write_config", "migrate_commands", "processes", "fix_cell_mappings"]


def _etc(cloud):
    return cloud.path("etc", "nova")


def _conf(cloud):
    return os.path.join(_etc(cloud), "nova.conf")


def _compute_conf(cloud):
    return os.path.join(_etc(cloud), "nova-compute.conf")


def cell_urls(ctx, cloud):
    return {
        "cell0": (ctx.db_url(cloud.database("nova_cell0")), "none:///"),
        "cell1": (ctx.db_url(cloud.database("nova_cell1")), ctx.transport_url(cloud.name)),
    }


def write_config(ctx, cloud):
    paste = common.copy_paste_ini(
        os.path.join(ctx.venv, "etc", "nova", "api-paste.ini"),
        os.path.join(_etc(cloud), "api-paste.ini"),
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
    ini.write(_compute_conf(cloud), compute)
    uwsgi.write_ini(
        os.path.join(_etc(cloud), "uwsgi.ini"),
        address=cloud.address,
        port=cloud.backend_port("compute"),
        mount="/compute",
        module="nova.wsgi.osapi_compute:application",
        env={"OS_NOVA_CONFIG_DIR": _etc(cloud), "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"},
    )


def migrate_commands(ctx, cloud):
    """API, cell0 and cell1 schemas and the cell mappings (``osc_scope.lab.setup.nova``)."""
    cells = cell_urls(ctx, cloud)
    return [
        [ctx.bin("python"), "-m", "osc_scope.lab.setup.nova", _conf(cloud), cells["cell0"][0],
         cells["cell1"][1]]
    ]  # fmt: skip


def fix_cell_mappings(ctx, cloud, execute):
    """After copying another cloud's nova_api database, point its cells at this cloud."""
    for name, (database, transport) in cell_urls(ctx, cloud).items():
        execute(
            (
                "UPDATE cell_mappings SET database_connection = %s, transport_url = %s "
                "WHERE name = %s",
                (database, transport, name),
            ),
            database=cloud.database("nova_api"),
        )


def processes(ctx, cloud):
    """The API (uWSGI), conductor and scheduler; nova-compute is started later, alone."""
    env = dict(os.environ)
    specs = [
        common.ProcessSpec(
            f"{cloud.name}-nova-api",
            uwsgi.argv(os.path.join(_etc(cloud), "uwsgi.ini")),
            env,
            cloud.backend_port("compute"),
            cloud.address,
        )
    ]
    for binary in ("conductor", "scheduler"):
        specs.append(
            common.ProcessSpec(
                f"{cloud.name}-nova-{binary}",
                [ctx.bin(f"nova-{binary}"), "--config-file", _conf(cloud)],
                env,
            )
        )
    return specs


def compute_process(ctx, cloud):
    """nova-compute, started once conductor and Placement (behind HAProxy) can answer."""
    return common.ProcessSpec(
        f"{cloud.name}-nova-compute",
        [ctx.bin("nova-compute"), "--config-file", _compute_conf(cloud)],
        dict(os.environ),
    )
