"""Sending a fan-out's sub-requests through the router, and reading their answers within
the fan-out's bound.

Every sub-request goes to the client's frontend's second listener (a Unix socket): the
router routes it like any request, to one cloud or a failover. A reply keeps its aiohttp
response open until the fan-out decides: the winner of a one-resource fan-out is streamed
from it, the others are closed unread.
"""

import asyncio
import dataclasses

import aiohttp
from yarl import URL

from osc_scope import scope as scope_api
from osc_scope.fanout import branches as branches_mod
from osc_scope.fanout import merge
from osc_scope.scope import names

__all__ = ["BoundExceeded", "Budget", "Reply", "Sender"]

# Read size of the clouds' bodies; aiohttp buffers up to twice it per stream. For image
# data, 64 KiB cost 30% more CPU per GiB than this (bench/fanout.py), 1 MiB no less.
CHUNK = 256 * 1024
SMALL_BODY = 64 * 1024  # an error body read to pass it on
SERVED_BY_HEADER = names.SERVED_BY_HEADER  # the router names the cloud that served it


class BoundExceeded(Exception):
    """The answers of one fan-out are larger than the configured bound (a 502)."""


class Budget:
    """What one fan-out may still hold in memory: bytes of the clouds' answers, and items."""

    def __init__(self, limits):
        self.limits = limits
        self.bytes = limits.max_bytes
        self.items = limits.max_items

    def take_bytes(self, count):
        self.bytes -= count
        if self.bytes < 0:
            raise BoundExceeded(
                f"the clouds' answers are larger than {self.limits.max_bytes} bytes, the bound "
                "of one fan-out (limits.max_bytes); ask for fewer items with limit"
            )

    def take_items(self, count):
        self.items -= count
        if self.items < 0:
            raise BoundExceeded(
                f"the clouds' answers hold more than {self.limits.max_items} items, the bound "
                "of one fan-out (limits.max_items); ask for fewer items with limit"
            )


@dataclasses.dataclass
class Reply:
    """One branch's answer; ``response`` is still open when its body was not read."""

    answer: merge.Answer
    served_by: str  # the cloud that answered, or the branch's label when unknown
    response: object = None

    def close(self):
        if self.response is not None:
            self.response.close()
            self.response = None


class Sender:
    """The sub-requests of one client request (its method, path and headers)."""

    def __init__(self, session, request, hops, limits, budget):
        self.session = session
        self.method = request.method
        self.path = request.raw_path.split("?", 1)[0]
        self.headers = list(request.headers.items())
        self.hops = hops
        self.timeout = aiohttp.ClientTimeout(sock_connect=limits.timeout, sock_read=limits.timeout)
        self.budget = budget

    async def send(self, branch, query, *, read_json):
        """One sub-request. ``read_json``: read the body of a 2xx JSON answer now (a
        collection's page); anything else 2xx stays unread for streaming."""
        headers = branches_mod.sub_request_headers(self.headers, branch, self.hops)
        if read_json:  # pages are parsed here: ask for them unencoded
            headers = [(k, v) for k, v in headers if k.lower() != "accept-encoding"]
        url = URL(f"http://fanout{self.path}" + (f"?{query}" if query else ""), encoded=True)
        try:
            response = await self.session.request(
                self.method, url, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except TimeoutError:
            return Reply(merge.Answer(None, "timeout"), branch.label)
        except aiohttp.ClientError as exc:
            return Reply(merge.Answer(None, f"unreachable ({type(exc).__name__})"), branch.label)
        cloud = response.headers.get(SERVED_BY_HEADER)
        served = cloud if scope_api.is_cloud_name(cloud or "") else branch.label
        answer = merge.Answer(
            response.status, content_type=response.content_type, headers=response.headers
        )
        reply = Reply(answer, served, response)
        try:
            if answer.ok and read_json and "json" in response.content_type.lower():
                answer.body = await self._read(response)
                reply.close()
            elif not answer.ok:
                answer.body = await self._read(response, SMALL_BODY)
                reply.close()
        except (TimeoutError, aiohttp.ClientError):
            reply.close()
            return Reply(merge.Answer(None, "timeout"), branch.label)
        except BaseException:
            reply.close()
            raise
        return reply

    async def send_all(self, branches, query_of, *, read_json):
        """Every branch at once; label -> Reply."""
        replies = await asyncio.gather(
            *(self.send(b, query_of(b.label), read_json=read_json) for b in branches),
            return_exceptions=True,
        )
        failure = next((r for r in replies if isinstance(r, BaseException)), None)
        if failure is not None:
            for reply in replies:
                if isinstance(reply, Reply):
                    reply.close()
            raise failure
        return {b.label: r for b, r in zip(branches, replies, strict=True)}

    async def _read(self, response, limit=None):
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(CHUNK):
            if limit is not None and size + len(chunk) > limit:
                chunk = chunk[: limit - size]
            self.budget.take_bytes(len(chunk))
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size >= limit:
                break
        return b"".join(chunks)
