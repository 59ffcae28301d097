"""Neutron's schema on PostgreSQL, in one process: ``neutron-db-manage`` three times.

``upgrade heads`` stops at d553edeb540f, a MySQL-only migration (``CONVERT TO CHARACTER
SET``); so: upgrade to the revision before it, stamp it, upgrade to the heads. Arguments:
the config files.
"""

import sys


def main():
    config_args = []
    for path in sys.argv[1:]:
        config_args += ["--config-file", path]
    from neutron.db.migration import cli

    for command in (["upgrade", "ad80a9f07c5c"], ["stamp", "d553edeb540f"], ["upgrade", "heads"]):
        sys.argv = ["neutron-db-manage", *config_args, *command]
        cli.main()


if __name__ == "__main__":
    main()
