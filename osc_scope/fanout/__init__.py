"""Fan-out ``A&B``: one request to several clouds, one answer.

The HAProxy router decides that a request's service is a fan-out and hands it to this
cloud's fan-out service (``osc-scope fanout serve``), which sends one sub-request per branch
of the expression back through the same router, each with the scope of that service
narrowed to the branch, all at once, and answers with:

* a collection (a JSON body whose resources are one top-level list): every branch's items
  in one list, paged with ``limit``/``marker`` on the merged list, sorted by the
  services' own sort parameters; clouds that fail are named in ``X-Scope-Partial``;
* anything else: the first branch, in the expression's order, that answers 2xx,
  streamed; the others are dropped before their bodies.

Modules: ``paging`` (query parameters, sort order, the merged list's marker), ``merge``
(pure: pages in, one page out), ``links`` (next links that lead back through the router),
``branches`` (the sub-requests' scopes), ``config`` and ``server`` (the aiohttp service).
"""
