"""From Keystone catalogs to what each cloud's HAProxy runs.

``catalog`` reads endpoint catalogs, ``table`` builds and validates the routing table (the
single source of truth), ``render`` writes ``haproxy.cfg`` and the Lua table for one cloud,
``explain`` tells where a scope sends each service.
"""
