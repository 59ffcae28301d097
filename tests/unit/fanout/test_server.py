"""The fan-out service over real sockets, against a fake router and fake clouds."""

import json
import urllib.parse

SCOPE = {"image": "CloudOne&CloudTwo"}
THREE = {"image": "CloudOne&CloudTwo&CloudThree"}


def _ids(body):
    return [image["id"] for image in json.loads(body)["images"]]


def test_a_list_holds_every_clouds_items_once(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images", THREE)

    status, headers, body = run(scenario, clouds)
    assert status == 200
    assert _ids(body) == ["a1", "a2", "a3", "b1", "b2", "c1"]
    assert headers["X-Scope-Clouds"] == "CloudOne, CloudTwo, CloudThree"
    assert "X-Scope-Partial" not in headers
    assert "next" not in json.loads(body)


def test_each_sub_request_carries_its_branch_and_one_more_hop(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images?visibility=public", SCOPE, **{"X-Scope-Hops": "0"})

    run(scenario, clouds)
    sent = {cloud: headers for cloud, _, _, headers in clouds.requests}
    assert set(sent) == {"CloudOne", "CloudTwo"}
    for cloud, headers in sent.items():
        assert headers["X-Scope"] == json.dumps({"image": cloud}, separators=(",", ":"))
        assert headers["X-Auth-Token"] == f"tok!SCOPE!{headers['X-Scope']}"
        assert headers["X-Scope-Hops"] == "1"
        assert headers["Host"] == "127.0.0.1"
        assert "X-Scope-Service" not in headers and "X-Scope-Frontend" not in headers
    assert all(path == "/image/v2/images?visibility=public" for _, _, path, _ in clouds.requests)


def test_paging_with_limit_one_returns_each_item_once_and_stops(run, clouds):
    async def scenario(h):
        seen, path, pages = [], "/image/v2/images?limit=1", 0
        while path and pages < 20:
            status, _, body = await h.get(path, THREE)
            assert status == 200
            document = json.loads(body)
            seen += [i["id"] for i in document["images"]]
            path = "/image" + document["next"] if "next" in document else None
            pages += 1
        # openstacksdk asks once more after a full page without a next link
        _, _, body = await h.get(f"/image/v2/images?limit=1&marker={seen[-1]}", THREE)
        return seen, json.loads(body)["images"]

    seen, after_last = run(scenario, clouds)
    assert seen == ["a1", "a2", "a3", "b1", "b2", "c1"]
    assert after_last == []


def test_a_plain_marker_continues_after_that_item(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images?limit=2&marker=a3", THREE)

    status, _, body = run(scenario, clouds)
    assert status == 200
    assert _ids(body) == ["b1", "b2"]
    marker = urllib.parse.parse_qs(urllib.parse.urlsplit(json.loads(body)["next"]).query)
    assert marker["marker"][0].startswith("osc-scope.")


def test_sorted_merge(run, clouds):
    clouds.images["CloudTwo"] = [{"id": "b1", "name": "m"}, {"id": "b2", "name": "z"}]
    clouds.images["CloudOne"] = [{"id": "a1", "name": "a"}, {"id": "a2", "name": "n"}]

    async def scenario(h):
        return await h.get("/image/v2/images?sort=name:asc", SCOPE)

    _, _, body = run(scenario, clouds)
    assert _ids(body) == ["a1", "b1", "a2", "b2"]


def test_a_cloud_down_gives_a_partial_answer_naming_it(run, clouds):
    clouds.modes["CloudTwo"] = "down"

    async def scenario(h):
        return await h.get("/image/v2/images", THREE)

    status, headers, body = run(scenario, clouds)
    assert status == 200
    assert _ids(body) == ["a1", "a2", "a3", "c1"]
    assert headers["X-Scope-Partial"] == "CloudTwo=503"
    assert headers["X-Scope-Clouds"] == "CloudOne, CloudThree"


def test_a_slow_cloud_times_out_into_a_partial_answer(run, clouds):
    clouds.modes["CloudThree"] = "slow"

    async def scenario(h):
        return await h.get("/image/v2/images", THREE)

    status, headers, body = run(scenario, clouds, {"timeout": 0.3})
    assert status == 200
    assert headers["X-Scope-Partial"] == "CloudThree=timeout"


def test_every_cloud_down_is_a_503_naming_each(run, clouds):
    clouds.modes.update(CloudOne="down", CloudTwo="down")

    async def scenario(h):
        return await h.get("/image/v2/images", SCOPE)

    status, headers, body = run(scenario, clouds)
    assert status == 503
    error = json.loads(body)["error"]
    assert error["code"] == 503
    assert "CloudOne=503" in error["message"] and "CloudTwo=503" in error["message"]


def test_a_malformed_answer_is_partial(run, clouds):
    clouds.modes["CloudTwo"] = "html"

    async def scenario(h):
        return await h.get("/image/v2/images", SCOPE)

    status, headers, body = run(scenario, clouds)
    assert (status, headers["X-Scope-Partial"]) == (200, "CloudTwo=malformed")


def test_one_resource_comes_from_the_first_cloud_that_has_it(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images/b2", THREE)

    status, headers, body = run(scenario, clouds)
    assert status == 200
    assert json.loads(body)["id"] == "b2"
    assert headers["X-Scope-Clouds"] == "CloudTwo"


def test_a_resource_nowhere_is_404(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images/zz9", SCOPE)

    status, _, _ = run(scenario, clouds)
    assert status == 404


def test_image_data_is_streamed_from_the_winner(run, clouds):
    data = bytes(range(256)) * 40_000  # 10 MB, more than the fan-out may buffer
    clouds.files["CloudTwo", "b1"] = data

    async def scenario(h):
        return await h.get("/image/v2/images/b1/file", SCOPE)

    status, headers, body = run(scenario, clouds, {"max_bytes": 1024 * 1024})
    assert status == 200
    assert body == data
    assert headers["Content-Length"] == str(len(data))
    assert headers["X-Scope-Clouds"] == "CloudTwo"


def test_head_is_a_resource_request(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images/a1", SCOPE, method="HEAD")

    status, _, body = run(scenario, clouds)
    assert (status, body) == (200, b"")


def test_answers_past_the_bound_are_refused(run, clouds):
    clouds.images["CloudOne"] = [{"id": f"a{n}", "name": "x" * 20} for n in range(200)]

    async def scenario(h):
        return await h.get("/image/v2/images?limit=1000", SCOPE)

    status, _, body = run(scenario, clouds, {"max_bytes": 2000})
    assert status == 502
    assert "max_bytes" in json.loads(body)["error"]["message"]


def test_a_limit_is_cut_to_the_item_bound(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images?limit=100", THREE)

    status, _, body = run(scenario, clouds, {"max_items": 3})
    assert status == 200
    document = json.loads(body)
    assert _ids(body) == ["a1"]  # 3 items for 3 branches: one each, CloudOne first
    assert "marker=osc-scope." in document["next"]


def test_other_methods_are_501(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images", SCOPE, method="POST")

    status, _, body = run(scenario, clouds)
    assert status == 501
    assert "POST" in json.loads(body)["error"]["message"]
    assert clouds.requests == []


def test_requests_not_from_the_router_are_refused(run, clouds):
    async def scenario(h):
        return await h.get("/image/v2/images", SCOPE, **{"X-Scope-Frontend": "elsewhere"})

    status, _, _ = run(scenario, clouds)
    assert status == 400
    assert clouds.requests == []
