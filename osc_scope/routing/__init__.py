"""From Keystone catalogs to what each cloud's HAProxy runs.

``catalog`` reads endpoint catalogs, ``table`` builds and validates the routing table (the
single source of truth), ``plan`` computes what one cloud's router needs from it, and
``render`` writes that router: ``haproxy.cfg`` (with the ``native`` fast path's rules and
``answers``' error pages), ``router_data`` (the maps and Lua table both paths read), health
check ``timing``, and ``haproxy`` (the shipped files, ``haproxy -c``). ``decision`` is the
router's decision in Python, which ``explain`` shows offline.
"""
