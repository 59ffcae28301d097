"""The OpenStackClient side: ``--os-scope`` and its sources, and the per-session token hook.

``osc_plugin`` is the module OSC loads; ``sources`` says where a scope comes from;
``token_hook`` puts it on the requests of one session.
"""
