"""A lab-only ML2 mechanism driver that binds every port, so boots need no agent.

Registered under ``neutron.ml2.mechanism_drivers`` as ``osc_scope_lab``. It binds the first
segment of any network with a plain ``other`` VIF; Nova's fake driver plugs nothing, so that
is all a boot needs to reach ACTIVE. Never use it outside the lab.
"""

from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindEveryPortDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OTHER,
                {portbindings.CAP_PORT_FILTER: False},
            )
            return
