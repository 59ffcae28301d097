"""The shared routing decisions (decision.json), read the same way by the three tests.

Lua (tests/unit/lua), real HAProxy (tests/functional/haproxy) and ``osc-scope explain``
(tests/unit/routing) load this file by path (the tests are not a package), turn their own
result into an answer {"status", "backend" or "message", "headers"} and hand it to
``check``.
"""

import json
import pathlib

DATA = json.loads(pathlib.Path(__file__).with_name("decision.json").read_text())
TABLE = DATA["table"]
CLOUD = DATA["cloud"]
CASES = DATA["cases"]


def case_id(case):
    return case["name"]


def headers_of(case):
    """The request's headers, names in lower case."""
    return {name.lower(): value for name, value in case["headers"].items()}


def check(case, answer, compare_headers=True):
    """Assert that ``answer`` is what the case expects (the decoder's own words aside,
    after ``message_prefix``)."""
    expect = dict(case["expect"])
    got = {key: value for key, value in answer.items() if key != "headers"}
    prefix = expect.pop("message_prefix", None)
    if prefix is not None:
        assert got.get("message", "").startswith(prefix), (case["name"], got)
        expect["message"] = got.get("message")
    headers = {name.lower(): value for name, value in expect.pop("headers", {}).items()}
    assert got == expect, (case["name"], got, expect)
    if compare_headers:
        assert answer.get("headers", {}) == headers, (case["name"], answer, headers)
