"""Failover that loses no request: a backend whose cloud dies sends the request back in.

The router picks one backend per cloud (``CloudTwo:image``), and HAProxy retries and
redispatches only within one backend: a retry to the same dead server is useless. So every
backend that serves traffic gets, beside its real servers, a *backup* server that is the
router itself: an internal listener (an abstract unix socket, unreachable from outside the
machine's network namespace) bound by the frontend that serves the backend's service. When
a connection to the real server fails, ``observe layer4`` marks that server down at once
(``on-error mark-down``), the retry is redispatched to the backup, and the request enters
the same frontend again: the decision runs once more and, the first cloud now being down,
picks the next cloud of ``A|B`` (or answers 503 naming the cloud, for a single cloud).

The backup counts for HAProxy's ``nbsrv``, which the decision reads to know whether a
cloud is up. So each traffic backend has a health twin (``CloudTwo:image:up``) whose
servers only ``track`` the real ones: the decision asks the twin (``nbsrv`` of the traffic
backend's name plus ``HEALTH_SUFFIX``), and the twin never carries traffic nor runs a
check of its own. The cost per request stays flat with the number of clouds: one more
name lookup in a tree of backends.

Requests are retried only when that is safe: connection failures always (nothing was
sent), an empty or junk answer only for idempotent methods (``IDEMPOTENT``), and only while
the request fits HAProxy's buffer (large uploads are not replayed). Keeping each request
for such a retry costs a copy of it (``bench/router.py``: about 1 us, 8% of a request).
It pays for requests of one cloud too: a kept-alive connection to a cloud that just died
answers nothing, and the retry through the backup turns that into the 503 naming the
cloud rather than a 502 or a closed connection (tried without it: a partition then
closed some clients' connections, and a TLS failure or a killed service was a 502). A 5xx
answer is never retried nor counted against the server: it may be the service's answer to
that request (a token Keystone refuses), not a sign the cloud is gone.
"""

import hashlib

__all__ = [
    "HEALTH_SUFFIX",
    "IDEMPOTENT",
    "RETRY_ON",
    "health_backend",
    "reentry_addresses",
    "reentry_for",
]

HEALTH_SUFFIX = ":up"  # ':' separates cloud and service; neither contains one
IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
RETRY_ON = "conn-failure empty-response junk-response response-timeout 0rtt-rejected"


def health_backend(name):
    """``CloudTwo:image:up``: the twin whose servers track those of backend ``name``."""
    return name + HEALTH_SUFFIX


def reentry_addresses(plan):
    """{frontend name: abns@ address} of the internal listener of each frontend.

    Abstract socket names are shared by every process of a network namespace, so the name
    carries a digest of this router's own listening addresses: two routers that can run
    side by side never share one, and the same table renders the same name (a reload of an
    unchanged router changes nothing)."""
    binds = "\n".join([plan.local_cloud] + [fe.bind for fe in plan.frontends])
    digest = hashlib.sha256(binds.encode()).hexdigest()[:16]
    return {fe.name: f"abns@osc-scope-{digest}-{i}" for i, fe in enumerate(plan.frontends)}


def reentry_for(plan, backend):
    """The internal listener a backend sends its requests back to, or None.

    It is the one of the first frontend serving the backend's service. A backend that
    rewrites the path (another cloud serving the service under other prefixes) has none:
    the request that would come back carries that cloud's path, not this cloud's."""
    if backend.rewrites:
        return None
    addresses = reentry_addresses(plan)
    for frontend in plan.frontends:
        if backend.service in frontend.prefixes.values():
            return addresses[frontend.name]
    return None
