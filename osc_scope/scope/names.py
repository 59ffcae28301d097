"""Names the whole project shares: cloud names, header names, the scope separator.

Owned here once; the CLI hook, the middleware, the routing table, the renderer, the lab and
the fan-out service import them (the Lua router and the playbooks, which cannot import
Python, are checked against these values by tests).
"""

import re

MAX_CLOUD_NAME = 255
CLOUD_NAME_CHARS = "A-Za-z0-9_.-"
# a cloud name, as a regex fragment (for larger patterns) and compiled (for fullmatch)
CLOUD_NAME_PATTERN = f"[{CLOUD_NAME_CHARS}]{{1,{MAX_CLOUD_NAME}}}"
CLOUD_NAME = re.compile(CLOUD_NAME_PATTERN)
CLOUD_NAME_RULE = f"1-{MAX_CLOUD_NAME} of A-Z a-z 0-9 _ . -"

# X-Auth-Token: <token>!SCOPE!<canonical JSON>
TOKEN_SEPARATOR = "!SCOPE!"
TOKEN_HEADER = "X-Auth-Token"
SUBJECT_TOKEN_HEADER = "X-Subject-Token"
SERVICE_TOKEN_HEADER = "X-Service-Token"
# the scope alone, for requests without a token and for every hop
SCOPE_HEADER = "X-Scope"
# how many scope routers a request went through (the loop guard)
HOPS_HEADER = "X-Scope-Hops"
# answers of a fan-out: the clouds that answered, and those missing with why
CLOUDS_HEADER = "X-Scope-Clouds"
PARTIAL_HEADER = "X-Scope-Partial"


def is_cloud_name(name):
    """Whether ``name`` is one valid cloud name (a Keystone region id)."""
    return isinstance(name, str) and CLOUD_NAME.fullmatch(name) is not None
