"""Faults under steady load on the lab (osc_scope.lab.chaos; bench/chaos.py prints the
same scenarios as a table): a failover loses nothing, reloads lose nothing, cached tokens
outlive their Keystone. Each scenario undoes its fault with ``lab up``."""

import pytest

from osc_scope.lab import chaos

pytestmark = [pytest.mark.lab, pytest.mark.slow]


@pytest.fixture
def chaos_lab(lab):
    yield chaos.Lab(lab.workdir)
    lab.lab("up")  # whatever a failed scenario left stopped


@pytest.fixture
def token(chaos_lab):
    return chaos_lab.token("CloudOne")


@pytest.mark.parametrize(
    "scope, first, then, victim",
    [
        ("CloudTwo|CloudOne", "CloudTwo", "CloudOne", "CloudTwo-glance"),
        ("CloudOne|CloudTwo", "CloudOne", "CloudTwo", "CloudOne-glance"),
    ],
    ids=["remote-glance", "local-glance"],
)
def test_a_killed_glance_fails_no_request(chaos_lab, token, scope, first, then, victim):
    row = chaos.kill_scenario(
        chaos_lab, token, victim, chaos.wire(image=scope), first, then, victim
    )
    assert row["settled"], row
    assert row["failed"] == 0, row


def test_a_killed_router_fails_at_most_the_answers_it_was_sending(chaos_lab, token):
    scope = chaos.wire(image="CloudTwo|CloudOne")
    row = chaos.kill_scenario(
        chaos_lab, token, "router", scope, "CloudTwo", "CloudOne", "CloudTwo-haproxy"
    )
    assert row["settled"], row
    assert row["failed"] <= 4, row  # one in flight per client, at most


def test_cached_tokens_outlive_their_keystone(chaos_lab):
    row = chaos.keystone_scenario(chaos_lab)
    assert row["settled"], row
    assert row["failed"] == 0, row
    new = row["new_token"]  # a token CloudOne's Glance never saw: its Keystone is named
    assert new.status == 503 and "CloudTwo" in new.body, row["note"]
    assert row["new_token"].end - row["new_token"].start < chaos.WAIT


def test_fifty_reloads_under_load_fail_no_request(chaos_lab, token):
    row = chaos.reload_scenario(chaos_lab, token)
    assert row["failed"] == 0, row
