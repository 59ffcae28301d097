"""The merging rules, from the shared data file tests/vectors/fanout.json."""

import json
import pathlib
import urllib.parse

import pytest

from osc_scope.fanout import links, merge, paging

VECTORS = json.loads((pathlib.Path(__file__).parents[2] / "vectors" / "fanout.json").read_text())
PREFIXES = {
    "image": "/image",
    "compute": "/compute/v2.1",
    "network": "",
    "identity": "/identity",
    "placement": "/placement",
}


def _answer(raw):
    body = raw.get("body")
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    return merge.Answer(
        raw.get("status"),
        reason=raw.get("reason", ""),
        body=body.encode() if body is not None else None,
        content_type=raw.get("content_type", ""),
    )


def _vectors(kind):
    return [pytest.param(v, id=v["name"]) for v in VECTORS["vectors"] if v["kind"] == kind]


@pytest.mark.parametrize("entry", VECTORS["collection_keys"], ids=str)
def test_collection_key_from_path(entry):
    path, key, *prefix = entry  # [path, key] or [path, key, the service's prefix]
    assert merge.collection_key(path, *prefix) == key


@pytest.mark.parametrize("vector", _vectors("collection"))
def test_collection(vector):
    branches = vector["branches"]
    query = paging.parse_query(vector["query"], vector["service"])
    cursor = paging.Cursor(vector["cursor"] or {})
    answers = {label: _answer(raw) for label, raw in vector["answers"].items()}
    key = merge.collection_key(vector["path"])
    pages, failures, _ = merge.collect(branches, answers, key, cursor, query.limit)
    merged = merge.merge_collection(branches, pages, failures, cursor, query, key)
    url = links.RequestURL("http", "127.0.0.1", vector["path"], PREFIXES[vector["service"]])
    body = links.merged_body(merged, key, query, url, vector["service"])
    expect = vector["expect"]

    assert [merge.item_id(item) for item in body[key]] == expect["items"]
    assert (merged.cursor.positions if merged.cursor else None) == expect["positions"]
    assert merged.partial == expect["partial"]
    if "answered" in expect:
        assert merged.answered == expect["answered"]
    if "body" in expect:
        assert body == expect["body"]
    for field, template in expect.get("next", {}).items():
        value = body[field]
        href = value if isinstance(value, str) else (
            value["next"] if isinstance(value, dict) else value[0]["href"])  # fmt: skip
        marker = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["marker"][0]
        assert href == template.replace("<cursor>", urllib.parse.quote(marker, safe=""))
        assert paging.Cursor.decode(marker, branches) == merged.cursor


@pytest.mark.parametrize("vector", _vectors("resource"))
def test_resource(vector):
    answers = {label: _answer(raw) for label, raw in vector["answers"].items()}
    choice = merge.choose_resource(vector["branches"], answers)
    expect = vector["expect"]
    if "winner" in expect:
        assert choice == expect["winner"]
    else:
        assert isinstance(choice, merge.Refusal)
        assert choice.status == expect["status"]
        assert expect["message"] in choice.message
