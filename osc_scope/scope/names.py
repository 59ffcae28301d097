"""Names the whole project shares: the cloud-name rule, header names, the scope separator.

Owned here once; the CLI hook, the middleware, the routing table, the renderer and the lab
import them. The Lua router and the playbooks cannot import Python and keep copies: the
cloud-name limit is checked by tests/unit/lua/test_scope_vectors.py, the playbooks'
cloud-name regex by tests/unit/playbooks/test_roles.py.
"""

import re
import string

MAX_CLOUD_NAME = 255
# the characters of a cloud name (a Keystone region id), as a set for the expression
# parser and as a regex (fragment, for larger patterns such as the router's)
CLOUD_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
CLOUD_NAME_PATTERN = f"[A-Za-z0-9_.-]{{1,{MAX_CLOUD_NAME}}}"
CLOUD_NAME_RULE = f"1-{MAX_CLOUD_NAME} of A-Z a-z 0-9 _ . -"
_CLOUD_NAME = re.compile(CLOUD_NAME_PATTERN)

# X-Auth-Token: <token>!SCOPE!<canonical JSON>
TOKEN_SEPARATOR = "!SCOPE!"
TOKEN_HEADER = "X-Auth-Token"
# the scope alone, for requests without a token and for every hop
SCOPE_HEADER = "X-Scope"
# how many scope routers a request went through (the loop guard)
HOPS_HEADER = "X-Scope-Hops"
# on every fan-out answer: the clouds that answered, and the ones missing with why
CLOUDS_HEADER = "X-Scope-Clouds"
PARTIAL_HEADER = "X-Scope-Partial"
# between the router and its fan-out service: the router names the service it found at the
# path and the frontend the client used; on a sub-request's answer, the cloud that served it
FANOUT_SERVICE_HEADER = "X-Scope-Service"
FANOUT_FRONTEND_HEADER = "X-Scope-Frontend"
SERVED_BY_HEADER = "X-Scope-Cloud"
# set by the middleware for the service: the cloud whose Keystone issued the request's user
# token, and its service token (client-supplied copies are removed, like X-Roles)
IDENTITY_CLOUD_HEADER = "X-Identity-Cloud"
SERVICE_IDENTITY_CLOUD_HEADER = "X-Service-Identity-Cloud"


def is_cloud_name(name):
    """Whether ``name`` is one valid cloud name (a Keystone region id)."""
    return isinstance(name, str) and _CLOUD_NAME.fullmatch(name) is not None
