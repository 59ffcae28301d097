"""Placement's own auth filter with the scope logic mixed in."""

import json

import pytest
import webob

placement_auth = pytest.importorskip("placement.auth")

from osc_scope.middleware import placement_filter  # noqa: E402


def get(app, path, token=None):
    request = webob.Request.blank(path)
    if token:
        request.headers["X-Auth-Token"] = token
    return request.get_response(app)


def test_install_swaps_placements_filter_factory(monkeypatch, make_app, clouds):
    monkeypatch.setattr(placement_auth, "filter_factory", placement_auth.filter_factory)
    placement_filter.install()
    app = make_app(factory=placement_auth.filter_factory)
    assert isinstance(app, placement_filter.ScopedPlacementAuthProtocol)
    assert get(app, "/").status_int == 200  # Placement's root needs no token
    assert get(app, "/resource_providers").status_int == 401
    token = clouds["CloudTwo"].issue("bob")
    scoped = token + "!SCOPE!" + json.dumps({"identity": "CloudTwo", "placement": "CloudOne"})
    response = get(app, "/resource_providers", scoped)
    assert response.status_int == 200
    assert response.json["X-User-Id"] == "bob"
    assert response.json["X-Auth-Token"] == scoped
