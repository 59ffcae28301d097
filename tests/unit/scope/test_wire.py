"""The wire form: ``<token>!SCOPE!<json>`` and ``X-Scope`` (round trips with hypothesis)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osc_scope.scope import (
    HOPS_HEADER,
    SCOPE_HEADER,
    TOKEN_SEPARATOR,
    ScopeSyntaxError,
    decode_token,
    join_token,
    parse,
    split_token,
)


def test_constants():
    assert (TOKEN_SEPARATOR, SCOPE_HEADER, HOPS_HEADER) == ("!SCOPE!", "X-Scope", "X-Scope-Hops")


def test_join_and_split():
    header = join_token("tok", parse('{"glance": "B | A"}'))
    assert header == 'tok!SCOPE!{"image":"B|A"}'
    assert split_token(header) == ("tok", '{"image":"B|A"}')
    assert split_token("tok") == ("tok", None)
    assert join_token("tok", '{"image": "A"}') == 'tok!SCOPE!{"image":"A"}'


def test_openstackoid_raw_json_with_spaces():
    header = 'gAAAA-tok!SCOPE!{"image": "CloudTwo", "compute": "CloudOne"}'
    token, scope = decode_token(header)
    assert token == "gAAAA-tok"
    assert scope.to_wire() == '{"compute":"CloudOne","image":"CloudTwo"}'


def test_join_refuses_a_token_that_already_has_a_scope():
    with pytest.raises(ValueError):
        join_token("tok!SCOPE!{}", parse("{}"))


def test_decode_a_bad_scope():
    with pytest.raises(ScopeSyntaxError):
        decode_token("tok!SCOPE!{bad")


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_encode_decode_round_trip(strategies, data):
    token = data.draw(strategies["tokens"])
    scope = data.draw(strategies["scopes"])
    header = join_token(token, scope)
    assert split_token(header) == (token, scope.to_wire())
    assert decode_token(header) == (token, scope)
    assert parse(scope.to_wire()).to_wire() == scope.to_wire()


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_openstackoid_form_round_trip(strategies, data):
    token = data.draw(strategies["tokens"])
    scope = data.draw(strategies["scopes"])
    items = data.draw(st.permutations(list(dict(scope).items())))
    raw = json.dumps(dict(items))  # spaces after ':' and ',', any key order
    padding = data.draw(st.sampled_from(["", " "]))
    assert decode_token(f"{token}{TOKEN_SEPARATOR}{padding}{raw}") == (token, scope)
