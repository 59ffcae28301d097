"""The Scope model: parsing details, mappings, completion (hypothesis), layering."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osc_scope.scope import (
    BadExpressionError,
    BadValueError,
    DuplicateServiceError,
    NotObjectError,
    Scope,
    ScopeSyntaxError,
    UnknownServiceError,
    parse,
)


def test_reads_like_a_mapping_of_canonical_strings():
    scope = parse('{"nova": "A | (B)", "glance": "C"}')
    assert dict(scope) == {"compute": "A|B", "image": "C"}
    assert scope.cloud_for("compute") == "A|B"
    assert scope.cloud_for("nova") == "A|B"
    assert scope.cloud_for("network") is None
    assert scope.expression("image").clouds() == ("C",)


def test_bytes_input_and_bad_utf8():
    assert parse(b'{"image": "A"}').to_wire() == '{"image":"A"}'
    with pytest.raises(ScopeSyntaxError):
        parse(b'{"image": "\xff"}')


@pytest.mark.parametrize("text", ['{"image": NaN}', '{"image": Infinity}', "[" * 3000])
def test_not_strict_json_is_a_syntax_error(text):
    with pytest.raises(ScopeSyntaxError):
        parse(text)


def test_unknown_service_suggests_close_names():
    with pytest.raises(UnknownServiceError) as info:
        parse('{"imagez": "A"}')
    assert "image" in info.value.suggestions
    assert "did you mean" in str(info.value)


@pytest.mark.parametrize(
    ("mapping", "error"),
    [
        ({"image": "A", "glance": "B"}, DuplicateServiceError),
        ({"image": 3}, BadValueError),
        ({"imagez": "A"}, UnknownServiceError),
        ({"image": "A|"}, BadExpressionError),
        (["image"], NotObjectError),
    ],
)
def test_from_mapping_same_checks_as_parse(mapping, error):
    with pytest.raises(error):
        Scope.from_mapping(mapping)


def test_from_mapping_accepts_underscores_and_case():
    scope = Scope.from_mapping({"Block_Storage": "A", "OBJECT_STORE": "B"})
    assert scope.to_wire() == '{"block-storage":"A","object-store":"B"}'


def test_bad_expression_names_the_service():
    with pytest.raises(BadExpressionError) as info:
        parse('{"glance": "A||B"}')
    assert info.value.service == "image"
    assert info.value.position == 2
    assert "'glance'" in str(info.value)


def test_complete_binds_unnamed_services_to_the_local_cloud():
    scope = parse('{"image": "CloudTwo"}')
    done = scope.complete("CloudOne", ["compute", "volumev3", "image", "not-a-service"])
    assert done.to_wire() == (
        '{"block-storage":"CloudOne","compute":"CloudOne","image":"CloudTwo"}'
    )


def test_complete_refuses_a_bad_local_cloud():
    with pytest.raises(BadExpressionError):
        parse("{}").complete("Region One", ["image"])


def test_layering_strongest_first():
    strong = parse('{"image": "A"}')
    weak = parse('{"image": "B", "compute": "C"}')
    assert strong.layered_over(weak).to_wire() == '{"compute":"C","image":"A"}'


def test_equality_and_hash():
    assert parse('{"glance":"A"}') == parse('{"image": "A"}')
    assert hash(parse('{"glance":"A"}')) == hash(parse('{"image": "A"}'))
    assert parse('{"image":"A"}') == {"image": "A"}


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_completion_properties(strategies, data):
    scope = data.draw(strategies["scopes"])
    local = data.draw(strategies["cloud_names"])
    wanted = data.draw(st.lists(strategies["official_types"], max_size=8))
    done = scope.complete(local, wanted)
    # named services keep their expression; every wanted type is bound; the rest is local
    for service in scope:
        assert done[service] == scope[service]
    for service in wanted:
        assert service in done
    for service in set(done) - set(scope):
        assert done[service] == local
    assert set(done) == set(scope) | set(wanted)
    # idempotent, canonical, and what goes on the wire reads back the same
    assert done.complete(local, wanted) == done
    assert parse(done.to_wire()) == done
    keys = list(json.loads(done.to_wire()))
    assert keys == sorted(keys)
