"""``scheme://host:port`` of a URL, the port made explicit.

One definition for the two places that compare URLs by where they connect: the routing
table names each cloud's HAProxy frontends this way, and the CLI's session hook tells the
requests that go to the cloud from the others. Standard library only: the hook runs in
every ``openstack`` command.
"""

import urllib.parse

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url):
    """``scheme://host:port`` of an absolute http(s) URL; ValueError saying what is wrong
    with any other (the message completes "URL ... ")."""
    parts = urllib.parse.urlsplit(url)  # lower-cases the scheme; ValueError: bad IPv6
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("is not an absolute http(s) URL")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("has a bad port") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"
