"""The cloud-expression grammar: examples, limits, and properties (hypothesis)."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osc_scope.scope import BadExpressionError, Cloud, TooLongError, parse_expression
from osc_scope.scope.expression import (
    MAX_CLOUD_NAME,
    MAX_DEPTH,
    Failover,
    FanOut,
    check_cloud_name,
    failover,
    fan_out,
)

A, B, C = Cloud("A"), Cloud("B"), Cloud("C")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("A", A),
        ("A|B", Failover((A, B))),
        ("A&B", FanOut((A, B))),
        ("A|B&C", Failover((A, FanOut((B, C))))),
        ("A&B|C", Failover((FanOut((A, B)), C))),
        ("(A|B)&C", FanOut((Failover((A, B)), C))),
        (" ( A ) ", A),
        ("A|(B|C)", Failover((A, B, C))),
        ("(A&B)&C", FanOut((A, B, C))),
        ("Cloud-One", Cloud("Cloud-One")),
    ],
)
def test_precedence_and_grouping(text, tree):
    assert parse_expression(text) == tree


def test_clouds_in_order_without_repeats():
    assert parse_expression("B|(A&B)|C").clouds() == ("B", "A", "C")


def test_name_length_limit():
    assert parse_expression("x" * MAX_CLOUD_NAME).name == "x" * MAX_CLOUD_NAME
    with pytest.raises(TooLongError) as info:
        parse_expression("A|" + "x" * (MAX_CLOUD_NAME + 1))
    assert info.value.kind == "too_long"
    assert info.value.position == 2 + MAX_CLOUD_NAME


def test_depth_limit():
    deepest = "(" * MAX_DEPTH + "A" + ")" * MAX_DEPTH
    assert parse_expression(deepest) == A
    with pytest.raises(TooLongError) as info:
        parse_expression("(" + deepest + ")")
    assert info.value.position == MAX_DEPTH


@pytest.mark.parametrize("text", ["A\tB", "A\n", "A|B)", "((A)", "&", "A&", "A|&B"])
def test_refused_with_position(text):
    with pytest.raises(BadExpressionError) as info:
        parse_expression(text)
    assert 0 <= info.value.position <= len(text)


def test_check_cloud_name():
    assert check_cloud_name("CloudOne") == "CloudOne"
    for bad in ["", "A|B", " A", "Region One"]:
        with pytest.raises(BadExpressionError):
            check_cloud_name(bad)


def _noisy(tree, draw):
    """Any text that means ``tree``: random spaces and needless parentheses."""
    space = st.text(alphabet=" ", max_size=2)
    if isinstance(tree, Cloud):
        text = tree.name
    else:
        operator = "|" if isinstance(tree, Failover) else "&"
        parts = []
        for part in tree.options if isinstance(tree, Failover) else tree.members:
            inner = _noisy(part, draw)
            if isinstance(tree, FanOut) and isinstance(part, Failover):
                inner = f"({inner})"
            parts.append(inner)
        text = (draw(space) + operator + draw(space)).join(parts)
    if draw(st.booleans()) and draw(st.integers(0, 3)) == 0:
        text = f"({draw(space)}{text}{draw(space)})"
    return draw(space) + text + draw(space)


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_canonical_text_round_trips(strategies, data):
    tree = data.draw(strategies["expressions"])
    text = str(tree)
    assert parse_expression(text) == tree
    assert str(parse_expression(text)) == text
    assert " " not in text


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_spaces_and_needless_parentheses_do_not_change_meaning(strategies, data):
    tree = data.draw(strategies["expressions"])
    assert parse_expression(_noisy(tree, data.draw)) == tree


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=string.ascii_letters[:4] + "|&() ,/!é\t", max_size=30))
def test_any_text_parses_or_is_refused_with_a_position(text):
    try:
        tree = parse_expression(text)
    except (BadExpressionError, TooLongError) as error:
        assert 0 <= error.position <= len(text)
        assert "\n" not in str(error)
    else:
        assert parse_expression(str(tree)) == tree


def test_flatten_helpers():
    assert failover(A) == A
    assert failover(failover(A, B), C) == Failover((A, B, C))
    assert fan_out(A, fan_out(B, C)) == FanOut((A, B, C))
    assert str(fan_out(failover(A, B), C)) == "(A|B)&C"
