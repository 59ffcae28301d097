"""Every shared scope vector through the Lua decoder: same meaning, same fault kinds."""

import json
import pathlib

import pytest

from osc_scope.routing import plan as plan_mod

VECTORS = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "vectors" / "scope.json").read_text()
)

ALIASES = plan_mod.service_aliases()


@pytest.fixture(scope="module")
def decode(lua):
    aliases = lua.table_from(ALIASES)
    wrapped = lua.eval(
        """function(text, aliases)
             local scope = require("osc_scope.scope")
             local result, fault = scope.decode(text, aliases)
             if result then return scope.to_wire(result), false end
             return false, fault
           end"""
    )

    def run(text):
        wire, fault = wrapped(text, aliases)
        return (wire or None), (dict(fault) if fault else None)

    return run


def test_limits_match_the_vectors(lua):
    limits = VECTORS["limits"]
    assert lua.require("osc_scope.scope").MAX_SCOPE_BYTES == limits["max_scope_bytes"]
    expression = lua.require("osc_scope.expression")
    assert expression.MAX_CLOUD_NAME == limits["max_cloud_name"]
    assert expression.MAX_DEPTH == limits["max_expression_depth"]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["input"][:40])
def test_vector(decode, vector):
    wire, fault = decode(vector["input"])
    if "canonical" in vector:
        assert fault is None, fault
        assert wire == vector["canonical"]
        return
    expected = vector["error"]
    assert fault is not None, f"accepted as {wire}"
    assert fault["kind"] == expected["kind"], fault
    if "position" in expected:
        assert fault["position"] == expected["position"], fault
    if "contains" in expected:
        assert expected["contains"] in fault["message"], fault


@pytest.mark.parametrize(
    "text, kind",
    [
        ('{"image": "' + "C" * 256 + '"}', "too_long"),
        ('{"image": "' + "(" * 17 + "A" + ")" * 17 + '"}', "too_long"),
        ('{"image": "' + "(" * 16 + "A" + ")" * 16 + '"}', None),
        (b'{"image": "\xff"}', "syntax"),
        ('{"image": "A\\u0000"}', "bad_expression"),
        ('{"image": "\\ud800"}', "syntax"),
        ('{"image": "\\ud83d\\ude00"}', "bad_expression"),
        ('{"image": "A", "nova": "B"}', None),
        ('{"image": ' + "[" * 100 + "]" * 100 + "}", "syntax"),
        ('{"image": -0.5e+3}', "bad_value"),
        ('{"image": 01}', "syntax"),
        ('{"image": true}', "bad_value"),
        ('{"image": "A"}\n', None),
        ('{"Object_Store": "A"}', None),
    ],
)
def test_edge_cases(decode, text, kind):
    wire, fault = decode(text)
    if kind is None:
        assert fault is None, fault
    else:
        assert fault and fault["kind"] == kind, (wire, fault)
