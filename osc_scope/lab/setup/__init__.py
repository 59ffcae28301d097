"""One-shot setup programs run with the lab's Python (``python -m osc_scope.lab.setup.X``).

Each does in one process what several ``*-manage`` runs would do, because on a 2-core
machine every extra run costs seconds of imports: Keystone's bootstrap plus the lab's users
and catalog, Nova's three schemas plus its cell mappings, Neutron's migration detour.
They call the services' own code (keystone-manage's Bootstrapper, nova's and neutron's
migration functions); nothing is reimplemented.
"""
