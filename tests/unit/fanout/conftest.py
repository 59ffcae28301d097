"""A fake router in front of fake clouds, on Unix sockets, for the fan-out service.

The fake router stands in for the frontend's second listener: it reads the scope of each
sub-request, picks the cloud of the image service (first one up of a failover), checks the
hop count and answers from that cloud's images, paged like Glance (limit, marker, next).
"""

import asyncio
import contextlib
import json
import os
import tempfile

import aiohttp
import pytest
from aiohttp import web

from osc_scope import scope as scope_api
from osc_scope.fanout import config as config_mod
from osc_scope.fanout import server

FRONTEND = "CloudOne:127.0.0.1:80"


class FakeClouds:
    def __init__(self, images):
        self.images = images  # cloud -> list of image dicts
        self.modes = {}  # cloud -> "down" | "slow" | "html"
        self.requests = []  # (cloud, method, path_qs, headers)
        self.files = {}  # (cloud, image id) -> bytes

    def cloud_for(self, wire):
        node = scope_api.parse(wire).expression("image")
        options = node.options if isinstance(node, scope_api.Failover) else (node,)
        for option in options:
            if self.modes.get(option.name) != "down":
                return option.name
        return options[0].name

    async def handle(self, request):
        token = request.headers.get("X-Auth-Token", "")
        _, wire = scope_api.split_token(token)
        wire = wire or request.headers["X-Scope"]
        cloud = self.cloud_for(wire)
        self.requests.append((cloud, request.method, request.path_qs, dict(request.headers)))
        headers = {"X-Scope-Cloud": cloud}
        mode = self.modes.get(cloud)
        if mode == "down":
            return web.json_response({"error": {"code": 503}}, status=503, headers=headers)
        if mode == "slow":
            await asyncio.sleep(5)
        if mode == "html":
            return web.Response(text="<html/>", content_type="text/html", headers=headers)
        parts = request.path.rstrip("/").split("/")
        if parts[-1] == "file":
            data = self.files.get((cloud, parts[-2]))
            if data is None:
                return web.Response(status=404, headers=headers)
            return web.Response(body=data, content_type="application/octet-stream",
                                headers=headers)  # fmt: skip
        if parts[-1] != "images":
            found = [i for i in self.images.get(cloud, []) if i["id"] == parts[-1]]
            if not found:
                return web.json_response({"error": "nope"}, status=404, headers=headers)
            return web.json_response(found[0], headers=headers)
        items = list(self.images.get(cloud, []))
        marker = request.query.get("marker")
        if marker:
            ids = [i["id"] for i in items]
            if marker not in ids:
                return web.json_response({"error": "bad marker"}, status=400, headers=headers)
            items = items[ids.index(marker) + 1 :]
        body = {"images": items, "first": "/v2/images", "schema": "/v2/schemas/images"}
        limit = int(request.query.get("limit", 25))
        if len(items) > limit:
            items = items[:limit]
            body["images"] = items
            body["next"] = f"/v2/images?marker={items[-1]['id']}&limit={limit}"
        return web.json_response(body, headers=headers)


class Harness:
    """The fan-out service and the fake router, both on Unix sockets in a temp dir."""

    def __init__(self, clouds, limits=None):
        self.clouds = clouds
        self.limits = limits or {}
        self.dir = tempfile.mkdtemp(prefix="fanout-")

    @contextlib.asynccontextmanager
    async def running(self):
        router_sock = os.path.join(self.dir, "router.sock")
        fanout_sock = os.path.join(self.dir, "fanout.sock")
        router_app = web.Application()
        router_app.router.add_route("*", "/{tail:.*}", self.clouds.handle)
        config = config_mod.from_dict(
            {
                "format": 1,
                "local_cloud": "CloudOne",
                "listen": fanout_sock,
                "frontends": {
                    FRONTEND: {
                        "scheme": "http",
                        "socket": router_sock,
                        "prefixes": {"/image": "image"},
                    }  # fmt: skip
                },
                "limits": self.limits,
            }
        )
        runners = []
        for app, path in ((router_app, router_sock), (server.make_app(config), fanout_sock)):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.UnixSite(runner, path).start()
            runners.append(runner)
        self.client = aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=fanout_sock))
        try:
            yield self
        finally:
            await self.client.close()
            for runner in reversed(runners):
                await runner.cleanup()

    async def get(self, path, scope, method="GET", token="tok", **headers):
        wire = scope_api.parse(json.dumps(scope)).to_wire()
        sent = {
            "Host": "127.0.0.1",
            "X-Scope-Service": "image",
            "X-Scope-Frontend": FRONTEND,
            "X-Auth-Token": f"{token}!SCOPE!{wire}",
            "X-Scope": wire,
            **headers,
        }
        async with self.client.request(method, f"http://fanout{path}", headers=sent) as answer:
            body = await answer.read()
            return answer.status, answer.headers, body


def images(prefix, count):
    return [{"id": f"{prefix}{n}", "name": f"{prefix}-image-{n}"} for n in range(1, count + 1)]


@pytest.fixture
def run():
    """Run one scenario coroutine: run(scenario, clouds, limits)."""

    def runner(scenario, clouds, limits=None):
        async def main():
            async with Harness(clouds, limits).running() as harness:
                return await scenario(harness)

        return asyncio.run(main())

    return runner


@pytest.fixture
def clouds():
    """Three clouds: CloudOne holds 3 images, CloudTwo 2, CloudThree 1."""
    return FakeClouds(
        {"CloudOne": images("a", 3), "CloudTwo": images("b", 2), "CloudThree": images("c", 1)}
    )
