"""The HTTP answers a fan-out gives: its own errors, a winner streamed, a merged page."""

import json

from aiohttp import web

from osc_scope import scope as scope_api
from osc_scope.fanout import branches as branches_mod
from osc_scope.fanout import merge
from osc_scope.fanout.subrequests import CHUNK, SERVED_BY_HEADER

__all__ = ["error", "merged_page", "one_resource"]

TITLES = {400: "Bad Request", 501: "Not Implemented", 502: "Bad Gateway",
          503: "Service Unavailable"}  # fmt: skip
# headers of a cloud's answer that describe the merged list too
KEPT_ON_MERGE = ("Content-Type", "OpenStack-API-Version", "X-OpenStack-Nova-API-Version", "Vary")


def error(status, message):
    """OpenStack's error shape, as the router's own refusals."""
    body = {"error": {"code": status, "title": TITLES.get(status, "Error"), "message": message}}
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def _copied_headers(upstream):
    headers = []
    for name, value in upstream.items():
        lower = name.lower()
        if lower in branches_mod.HOP_BY_HOP or lower == SERVED_BY_HEADER.lower():
            continue
        headers.append((name, value))
    return headers


async def one_resource(request, labels, replies, describe):
    """The answer of a one-resource fan-out from the replies of ``labels`` (in order):
    the winner's, streamed when its body is still unread; or a refusal naming each."""
    answers = {label: replies[label].answer for label in labels}
    choice = merge.choose_resource(labels, answers)
    if isinstance(choice, merge.Refusal):
        return error(choice.status, describe(choice.message))
    reply = replies[choice]
    response = web.StreamResponse(status=reply.answer.status)
    for name, value in _copied_headers(reply.answer.headers):
        response.headers.add(name, value)
    response.headers[scope_api.CLOUDS_HEADER] = reply.served_by
    if reply.answer.body is not None:
        response.content_length = len(reply.answer.body)
        await response.prepare(request)
        if request.method != "HEAD":
            await response.write(reply.answer.body)
    else:
        upstream = reply.response
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        await response.prepare(request)
        if request.method != "HEAD":
            async for chunk in upstream.content.iter_chunked(CHUNK):
                await response.write(chunk)
    await response.write_eof()
    return response


def merged_page(document, first, answered, partial):
    """200 with the merged page; ``first``: the first page's Answer (its content type and
    API version headers); ``answered`` and ``partial`` as the X-Scope headers say."""
    headers = {name: first.headers[name] for name in KEPT_ON_MERGE if name in first.headers}
    headers.setdefault("Content-Type", "application/json")
    headers[scope_api.CLOUDS_HEADER] = ", ".join(answered)
    if partial:
        headers[scope_api.PARTIAL_HEADER] = ", ".join(f"{b}={why}" for b, why in partial)
    body = json.dumps(document, separators=(",", ":")).encode()
    return web.Response(status=200, body=body, headers=headers)


def passed_on(answer):
    """A cloud's own answer, as it gave it (the 4xx every branch gave)."""
    return web.Response(
        status=answer.status,
        body=answer.body or b"",
        headers={"Content-Type": answer.content_type or "application/json"},
    )
