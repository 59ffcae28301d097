"""The fan-out service: an asyncio HTTP server the HAProxy router hands fan-outs to.

The router sends a request here when the scope binds its service to ``A&B...``, with two
headers of its own: ``X-Scope-Service`` (the service it found at the path) and
``X-Scope-Frontend`` (the frontend the client used). This service sends one sub-request per
branch, all at once, to that frontend's second listener (a Unix socket), so the router
serves each branch as any single-cloud request, then answers with one merged list, or the
first branch's resource, streamed (``osc_scope.fanout.merge`` says which).

Why a process of its own and not Lua inside HAProxy: HAProxy 2.6's Lua httpclient runs the
calls of one request one after the other, buffers whole answers, and cannot stream a
gigabyte image; asyncio sends every branch at once and streams the winner with a bounded
buffer, while HAProxy keeps routing every other request without Lua.
"""

import asyncio
import logging
import time

import aiohttp
from aiohttp import web

from osc_scope import scope as scope_api
from osc_scope.fanout import answers, collection, links, merge, paging
from osc_scope.fanout import branches as branches_mod
from osc_scope.fanout.subrequests import BoundExceeded, Budget, Sender
from osc_scope.scope import names

__all__ = ["FanOutService", "make_app", "HEALTH_PATH", "SERVICE_HEADER", "FRONTEND_HEADER"]

LOG = logging.getLogger("osc_scope.fanout")
SERVICE_HEADER = names.FANOUT_SERVICE_HEADER
FRONTEND_HEADER = names.FANOUT_FRONTEND_HEADER
HEALTH_PATH = "/healthcheck"
METHODS = ("GET", "HEAD")


def _request_scope(request):
    token = request.headers.get(scope_api.TOKEN_HEADER)
    if token:
        _, text = scope_api.split_token(token)
        if text is not None:
            return text
    return request.headers.get(scope_api.SCOPE_HEADER)


def _hops(request):
    value = request.headers.get(scope_api.HOPS_HEADER, "0")
    return int(value) if value.isdigit() and len(value) <= 6 else 0


class FanOutService:
    """One cloud's fan-out service (``config``: osc_scope.fanout.config.Config)."""

    def __init__(self, config):
        self.config = config
        self.recent = collection.RecentMarkers()
        self._sessions = {}

    def session(self, frontend):
        """One connection pool per frontend socket (kept alive to the router)."""
        session = self._sessions.get(frontend.name)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                connector=aiohttp.UnixConnector(path=frontend.socket, limit=0),
                auto_decompress=False,
                skip_auto_headers=("User-Agent",),
            )
            self._sessions[frontend.name] = session
        return session

    async def close(self):
        for session in self._sessions.values():
            await session.close()

    async def handle(self, request):
        if request.path == HEALTH_PATH and SERVICE_HEADER not in request.headers:
            return web.Response(text="ok\n")
        service = request.headers.get(SERVICE_HEADER)
        frontend = self.config.frontends.get(request.headers.get(FRONTEND_HEADER, ""))
        if not service or frontend is None:
            return answers.error(400, "not a fan-out request from this cloud's router")
        text = _request_scope(request)
        if text is None:
            return answers.error(400, f"no scope: nothing to fan out for {service}")
        try:
            branches = branches_mod.branches_of(text, service)
        except branches_mod.FanOutError as exc:
            return answers.error(400, str(exc))
        job = _FanOut(self, request, frontend, service, branches)
        if request.method not in METHODS:
            return answers.error(
                501,
                f"fan-out ('&') serves GET and HEAD only, not {request.method}: "
                f"{service} is bound to {job.expression}",
            )
        started = time.monotonic()
        try:
            response = await job.run()
        except BoundExceeded as exc:
            response = answers.error(502, job.describe(str(exc)))
        except paging.PagingError as exc:
            response = answers.error(400, str(exc))
        LOG.info(
            "fan-out %s %s service=%s branches=%s status=%s %.0f ms",
            request.method,
            request.path,
            service,
            job.expression,
            response.status,
            (time.monotonic() - started) * 1000,
        )
        return response


class _FanOut:
    """One fan-out request: its branches, its sub-requests' sender, its bound."""

    def __init__(self, owner, request, frontend, service, branches):
        self.owner = owner
        self.request = request
        self.frontend = frontend
        self.service = service
        self.branches = branches
        self.labels = [b.label for b in branches]
        self.by_label = {b.label: b for b in branches}
        self.expression = "&".join(self.labels)
        self.limits = owner.config.limits
        self.budget = Budget(self.limits)
        self.sender = Sender(
            owner.session(frontend), request, _hops(request), self.limits, self.budget
        )

    def describe(self, message):
        return f"{self.service} fan-out to {self.expression}: {message}"

    def log_note(self, message):
        LOG.info("fan-out %s: %s", self.sender.path, message)

    def url(self):
        return links.RequestURL(
            scheme=self.frontend.scheme,
            host=self.request.headers.get("Host", "localhost"),
            path=self.sender.path,
            service_prefix=self.frontend.prefix_of(self.service),
        )

    async def run(self):
        key = None
        if self.request.method == "GET":
            key = merge.collection_key(self.sender.path, self.frontend.prefix_of(self.service))
        if key is None:
            return await self.resource()
        return await collection.serve(self, key, self.owner.recent)

    async def resource(self):
        """Ask every branch at once, take the first 2xx in the expression's order; the
        answers after it are not waited for, and no body but the winner's is read."""
        query = self.request.query_string
        tasks = {
            b.label: asyncio.ensure_future(self.sender.send(b, query, read_json=False))
            for b in self.branches
        }
        replies = {}
        try:
            for label in self.labels:
                replies[label] = await tasks[label]
                if replies[label].answer.ok:
                    break
            return await answers.one_resource(self.request, list(replies), replies, self.describe)
        finally:
            for label, task in tasks.items():
                if label in replies:
                    replies[label].close()
                elif task.done() and not task.cancelled() and task.exception() is None:
                    task.result().close()
                else:
                    task.cancel()


def make_app(config):
    """The aiohttp application serving ``config`` (every path goes to the fan-out)."""
    service = FanOutService(config)
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", service.handle)

    async def close(_app):
        await service.close()

    app.on_cleanup.append(close)
    return app
