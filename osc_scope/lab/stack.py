"""The services every cloud of the lab runs, each declared once in its own module.

This tuple is the one list of them: configs are written, schemas migrated, processes
started, the catalog filled and the routes built from it, in this order where order
matters (Keystone first: the others validate tokens with it).
"""

from osc_scope.lab import glance, keystone, neutron, nova, placement

__all__ = ["SERVICES", "SERVICE_USERS", "by_type"]

SERVICES = (keystone.SERVICE, glance.SERVICE, placement.SERVICE, nova.SERVICE, neutron.SERVICE)

# Every service but Keystone validates tokens, so it has its own user in each Keystone.
SERVICE_USERS = tuple(s.name for s in SERVICES if s is not keystone.SERVICE)


def by_type(service_type):
    return next(s for s in SERVICES if s.service_type == service_type)
