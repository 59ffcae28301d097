"""Every shared vector in tests/vectors/scope.json, the same file the Lua tests read."""

import json
import pathlib

import pytest

from osc_scope.scope import (
    MAX_CLOUD_NAME,
    MAX_DEPTH,
    MAX_SCOPE_BYTES,
    ScopeError,
    parse,
)

VECTORS_FILE = pathlib.Path(__file__).parents[2] / "vectors" / "scope.json"
DOC = json.loads(VECTORS_FILE.read_text())
GOOD = [v for v in DOC["vectors"] if "canonical" in v]
BAD = [v for v in DOC["vectors"] if "error" in v]


def _id(vector):
    return vector["input"][:40]


def test_limits_match_the_code():
    assert DOC["limits"] == {
        "max_scope_bytes": MAX_SCOPE_BYTES,
        "max_cloud_name": MAX_CLOUD_NAME,
        "max_expression_depth": MAX_DEPTH,
    }


@pytest.mark.parametrize("vector", GOOD, ids=_id)
def test_canonical(vector):
    scope = parse(vector["input"])
    assert scope.to_wire() == vector["canonical"]
    assert parse(scope.to_wire()) == scope


@pytest.mark.parametrize("vector", BAD, ids=_id)
def test_refused(vector):
    expected = vector["error"]
    with pytest.raises(ScopeError) as info:
        parse(vector["input"])
    error = info.value
    assert error.kind == expected["kind"]
    if "position" in expected:
        assert error.position == expected["position"]
    if "contains" in expected:
        assert expected["contains"] in str(error)
    assert "\n" not in str(error)
