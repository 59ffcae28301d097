"""The branches of a fan-out and the headers of their sub-requests."""

import pytest

from osc_scope.fanout import branches as branches_mod
from osc_scope.scope import model, wire

SCOPE = '{"compute":"CloudOne","image":"(CloudOne|CloudOne2)&CloudTwo"}'


def test_branches_in_the_expressions_order_each_with_the_service_narrowed():
    branches = branches_mod.branches_of(SCOPE, "image")
    assert [b.label for b in branches] == ["CloudOne|CloudOne2", "CloudTwo"]
    assert branches[1].wire == '{"compute":"CloudOne","image":"CloudTwo"}'
    assert branches[1].scope.to_wire() == branches[1].wire


def test_sub_request_headers_do_not_parse_the_scope_again(monkeypatch):
    """The scope is parsed once per client request, not once more per sub-request (it
    cost a fifth of the service's CPU per one-resource fan-out)."""
    branch = branches_mod.branches_of(SCOPE, "image")[1]

    def parse(_text):
        pytest.fail("a sub-request's headers parsed the scope again")

    monkeypatch.setattr(wire, "parse", parse)
    monkeypatch.setattr(model, "parse", parse)
    client = [("X-Auth-Token", f"tok!SCOPE!{SCOPE}"), ("X-Scope", SCOPE), ("X-Scope-Hops", "1")]
    headers = dict(branches_mod.sub_request_headers(client, branch, 1))
    assert headers == {
        "X-Auth-Token": f"tok!SCOPE!{branch.wire}",
        "X-Scope": branch.wire,
        "X-Scope-Hops": "2",
    }
