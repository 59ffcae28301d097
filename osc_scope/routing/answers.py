"""The router's JSON error answers: the ones HAProxy makes itself, and the refusals.

HAProxy's own errors (no server up, bad gateway, timeouts, unparsable requests) are
``http-error`` pages; their messages are written here once, with ``{cloud}``, ``{service}``
and ``{backend}`` placeholders, so the renderer turns them into HAProxy log-format and the
Python decision (``osc-scope explain``) fills them in with the same words. The refusals the
Lua router decides are backends named ``osc-scope:error-<code>`` that answer its message.
"""

__all__ = ["HAPROXY_ERRORS", "REFUSALS", "UNAVAILABLE", "http_error_pages", "refusal_backend"]

UNAVAILABLE = "cloud {cloud} is unavailable for {service}: no server of {backend} is up"
HAPROXY_ERRORS = (
    (503, "Service Unavailable", UNAVAILABLE),
    (502, "Bad Gateway", "bad answer from {service} of cloud {cloud}"),
    (504, "Gateway Timeout", "{service} of cloud {cloud} did not answer in time"),
    (400, "Bad Request", "the HTTP request could not be parsed"),
    (408, "Request Timeout", "the HTTP request did not arrive in time"),
    (413, "Request Entity Too Large", "the HTTP request headers are too large"),
    (500, "Internal Server Error", "internal error in the router"),
)
# Refusals decided by the Lua router (status, title): it names the backend refusal_backend().
REFUSALS = (
    (400, "Bad Request"),
    (404, "Not Found"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (503, "Service Unavailable"),
    (508, "Loop Detected"),
)
# what each placeholder is in HAProxy log-format: the decision's variables, JSON-escaped
_LOG_FORMAT = {
    "cloud": "%[var(txn.osc_cloud),json(utf8s)]",
    "service": "%[var(txn.osc_service),json(utf8s)]",
    "backend": "%b",
}


def http_error_pages():
    """(status, title, log-format message) of each error HAProxy answers itself."""
    return [(code, title, text.format(**_LOG_FORMAT)) for code, title, text in HAPROXY_ERRORS]


def refusal_backend(status):
    """The backend that answers a refusal of the Lua router (``osc-scope:error-400``)."""
    return f"osc-scope:error-{status}"
