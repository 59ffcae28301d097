"""Nova's API, cell0 and cell1 schemas and its two cell mappings, in one process.

What ``nova-manage api_db sync``, ``cell_v2 map_cell0``, ``cell_v2 create_cell`` and
``db sync`` do, through the same nova functions, without four imports of nova.
Arguments: nova.conf, then the cell0 database URL, then cell1's transport URL.
"""

import sys


def main():
    config_file, cell0_url, cell1_transport = sys.argv[1:4]
    from nova import config, context, objects
    from nova.db import migration
    from nova.db.main import api as main_db_api

    config.parse_args(["nova-manage", "--config-file", config_file])
    objects.register_all()
    migration.db_sync(database="api")
    migration.db_sync(database="main")  # [database] connection: cell1
    cell0 = context.RequestContext()
    cell0.db_connection = main_db_api.create_context_manager(cell0_url)
    migration.db_sync(context=cell0)

    ctxt = context.get_admin_context()
    from nova import exception

    try:
        objects.CellMapping.get_by_uuid(ctxt, objects.CellMapping.CELL0_UUID)
    except exception.CellMappingNotFound:
        objects.CellMapping(
            ctxt,
            uuid=objects.CellMapping.CELL0_UUID,
            name="cell0",
            transport_url="none:///",
            database_connection=cell0_url,
        ).create()
    if not [c for c in objects.CellMappingList.get_all(ctxt) if c.name == "cell1"]:
        from oslo_utils import uuidutils

        objects.CellMapping(
            ctxt,
            uuid=uuidutils.generate_uuid(),
            name="cell1",
            transport_url=cell1_transport,
            database_connection=config.CONF.database.connection,
        ).create()


if __name__ == "__main__":
    main()
