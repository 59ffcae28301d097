"""Give a service its own cloud's catalog when the user's token comes from another cloud.

A token issued by CloudTwo's Keystone lists CloudTwo's endpoints only. A
CloudOne service (Nova) builds its Glance/Neutron/Placement clients from the
token's catalog filtered by its own region, CloudOne, and finds nothing. Putting
the local catalog (as the service's own user sees it) first, and the token's
catalog after, lets region-filtered lookups find the local endpoints (the local
HAProxy, which routes by scope) while nothing of the token's catalog is lost.
Both ``X-Service-Catalog`` and the ``keystone.token_auth`` plugin are built from
the token data, so changing the data here changes both.
"""


def with_local_catalog(token_data, local_catalog):
    """Return a copy of v3 ``token_data`` with ``local_catalog`` listed first."""
    token = token_data.get("token")
    if not isinstance(token, dict) or not local_catalog:
        return token_data
    merged = dict(token)
    merged["catalog"] = list(local_catalog) + list(token.get("catalog") or [])
    return {**token_data, "token": merged}
