"""Write tests/vectors/scope.json, the scope test vectors shared by the Python and Lua tests.

Kept as a generator so that the JSON inputs (escaped strings inside JSON) stay readable here.
Run it after editing: ``python tests/vectors/make_scope_vectors.py``.
"""

import json
import pathlib


def ok(text, canonical):
    return {"input": text, "canonical": canonical}


def err(text, kind, position=None, contains=None):
    expected = {"kind": kind}
    if position is not None:
        expected["position"] = position
    if contains is not None:
        expected["contains"] = contains
    return {"input": text, "error": expected}


VECTORS = [
    # --- well formed -------------------------------------------------------------------
    ok('{"image": "CloudTwo"}', '{"image":"CloudTwo"}'),
    ok('{"image":"CloudTwo"}', '{"image":"CloudTwo"}'),
    ok(
        '{"compute": "CloudOne", "image": "CloudTwo"}', '{"compute":"CloudOne","image":"CloudTwo"}'
    ),
    ok(
        '{"image": "CloudTwo", "compute": "CloudOne"}', '{"compute":"CloudOne","image":"CloudTwo"}'
    ),
    ok("{}", "{}"),
    ok("  { }  ", "{}"),
    ok('{"identity": "CloudTwo"}', '{"identity":"CloudTwo"}'),
    ok('{"image": "Cloud-One"}', '{"image":"Cloud-One"}'),
    ok('{"image": "cloud_2.example"}', '{"image":"cloud_2.example"}'),
    ok('{"image": "RegionOne"}', '{"image":"RegionOne"}'),
    ok('{"image": "42"}', '{"image":"42"}'),
    ok('{"image": " CloudTwo "}', '{"image":"CloudTwo"}'),
    # expressions: | is failover (lowest), & is fan-out (binds tighter), parentheses group
    ok('{"image": "CloudOne|CloudTwo"}', '{"image":"CloudOne|CloudTwo"}'),
    ok('{"image": "CloudOne | CloudTwo"}', '{"image":"CloudOne|CloudTwo"}'),
    ok('{"image": "CloudOne&CloudTwo"}', '{"image":"CloudOne&CloudTwo"}'),
    ok('{"image": "A|B&C"}', '{"image":"A|B&C"}'),
    ok('{"image": "A&B|C"}', '{"image":"A&B|C"}'),
    ok('{"image": "(A|B)&C"}', '{"image":"(A|B)&C"}'),
    ok('{"image": "A&(B|C)"}', '{"image":"A&(B|C)"}'),
    ok('{"image": "(A&B)|C"}', '{"image":"A&B|C"}'),
    ok('{"image": "((A))"}', '{"image":"A"}'),
    ok('{"image": "A|(B|C)"}', '{"image":"A|B|C"}'),
    ok('{"image": "(A&B)&C"}', '{"image":"A&B&C"}'),
    ok('{"image": "Cloud-One|Cloud-Two"}', '{"image":"Cloud-One|Cloud-Two"}'),
    # service types: aliases and project names are normalised to the official type
    ok('{"glance": "CloudTwo"}', '{"image":"CloudTwo"}'),
    ok('{"nova": "CloudTwo"}', '{"compute":"CloudTwo"}'),
    ok('{"keystone": "CloudTwo"}', '{"identity":"CloudTwo"}'),
    ok('{"neutron": "CloudTwo"}', '{"network":"CloudTwo"}'),
    ok('{"volumev3": "CloudTwo"}', '{"block-storage":"CloudTwo"}'),
    ok('{"placement": "CloudTwo"}', '{"placement":"CloudTwo"}'),
    ok('{"Image": "CloudTwo"}', '{"image":"CloudTwo"}'),
    ok(
        '{"identity": "CloudOne", "compute": "CloudTwo", "network": "CloudTwo", '
        '"placement": "CloudTwo"}',
        '{"compute":"CloudTwo","identity":"CloudOne","network":"CloudTwo","placement":"CloudTwo"}',
    ),
    ok('{"image": "Cloud\\u0054wo"}', '{"image":"CloudTwo"}'),
    # --- malformed JSON ---------------------------------------------------------------
    err("{bad", "syntax"),
    err("", "syntax"),
    err("   ", "syntax"),
    err('{"image": "CloudTwo"', "syntax"),
    err('{"image": "CloudTwo"}}', "syntax"),
    err('{"image": "CloudTwo",}', "syntax"),
    err("{'image': 'CloudTwo'}", "syntax"),
    err('{"image" "CloudTwo"}', "syntax"),
    err('{"image": "CloudTwo"} x', "syntax"),
    err("CloudTwo", "syntax"),
    # --- wrong shapes -----------------------------------------------------------------
    err('["image", "CloudTwo"]', "not_object"),
    err('"CloudTwo"', "not_object"),
    err("null", "not_object"),
    err("42", "not_object"),
    err('{"image": 2}', "bad_value", contains="image"),
    err('{"image": null}', "bad_value", contains="image"),
    err('{"image": ["CloudTwo"]}', "bad_value", contains="image"),
    err('{"image": {"cloud": "CloudTwo"}}', "bad_value", contains="image"),
    # --- unknown or repeated services -------------------------------------------------
    err('{"imagez": "CloudTwo"}', "unknown_service", contains="imagez"),
    err('{"": "CloudTwo"}', "unknown_service"),
    err('{"computer": "CloudTwo"}', "unknown_service", contains="computer"),
    err('{"image": "CloudTwo", "glance": "CloudOne"}', "duplicate_service", contains="image"),
    err('{"image": "CloudTwo", "image": "CloudTwo"}', "duplicate_service", contains="image"),
    err('{"image": "CloudOne", "image": "CloudTwo"}', "duplicate_service", contains="image"),
    # --- cloud expressions: position is the 0-based offset in the value ---------------
    err('{"image": ""}', "bad_expression", position=0),
    err('{"image": "   "}', "bad_expression", position=3),
    err('{"image": "A|"}', "bad_expression", position=2),
    err('{"image": "|A"}', "bad_expression", position=0),
    err('{"image": "A||B"}', "bad_expression", position=2),
    err('{"image": "A&&B"}', "bad_expression", position=2),
    err('{"image": "(A|B"}', "bad_expression", position=4),
    err('{"image": "A)"}', "bad_expression", position=1),
    err('{"image": "()"}', "bad_expression", position=1),
    err('{"image": "A B"}', "bad_expression", position=2),
    err('{"image": "Cloud One"}', "bad_expression", position=6),
    err('{"image": "Cloud/Two"}', "bad_expression", position=5),
    err('{"image": "Cloud\\u00e9"}', "bad_expression", position=5),
    err('{"image": "A,B"}', "bad_expression", position=1),
    err('{"image": "CloudTwo!SCOPE!"}', "bad_expression", position=8),
    # --- size ---------------------------------------------------------------------------
    err('{"image": "' + "C" * 5000 + '"}', "too_long"),
]

LIMITS = {
    "max_scope_bytes": 4096,
    "max_cloud_name": 255,
    "max_expression_depth": 16,
}


def main():
    path = pathlib.Path(__file__).with_name("scope.json")
    doc = {
        "about": "Scope test vectors shared by the Python and Lua tests; generated by "
        "make_scope_vectors.py. 'canonical' is the compact wire form before completion.",
        "limits": LIMITS,
        "vectors": VECTORS,
    }
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=True) + "\n")
    print(f"wrote {len(VECTORS)} vectors to {path}")


if __name__ == "__main__":
    main()
