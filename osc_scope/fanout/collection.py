"""A collection fan-out: one page of the merged list, from one round of sub-requests.

Where a page starts: nowhere (the first page), the cursor of a merged list's next link, or
a plain item id (openstacksdk's last try after a full page, ``openstack image list
--marker``): the service remembers where its recent pages ended, and without that memory
an unsorted list finds the cloud that knows the id (it answers 2xx to that marker, the
others 4xx).
"""

import collections

from osc_scope.fanout import answers, links, merge, paging

__all__ = ["RecentMarkers", "serve"]

RECENT_MARKERS = 1024


class RecentMarkers:
    """The last item of each merged page served lately, and the cursor after it."""

    def __init__(self, size=RECENT_MARKERS):
        self._entries = collections.OrderedDict()
        self._size = size

    def remember(self, where, item_id, cursor):
        key = (where, item_id)
        self._entries[key] = cursor
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def find(self, where, item_id):
        return self._entries.get((where, item_id))


def _finished(position):
    return position is paging.DONE or isinstance(position, dict)


class _Page:
    """One page: the request's paging, the positions it starts from, the replies."""

    def __init__(self, job, key, recent):
        self.job = job
        self.key = key
        self.recent = recent
        self.query = paging.parse_query(job.request.query_string, job.service)
        self.where = (job.frontend.name, job.sender.path, tuple(self.query.params))
        self.labels = job.labels
        self.replies = {}

    def start(self):
        """The cursor this page starts from, and whether a plain marker's owner must be
        found first."""
        marker = self.query.marker
        if marker is None:
            return paging.Cursor({}), False
        cursor = paging.Cursor.decode(marker, self.labels)
        if cursor is not None:
            return cursor, False
        remembered = self.recent.find(self.where, marker)
        if remembered is not None:
            return remembered, False
        if self.query.sort:
            raise paging.PagingError(
                "marker: a sorted list merged across clouds pages with the marker of its own "
                "next link; this id is not one this router served last"
            )
        return paging.Cursor({b: marker for b in self.labels}), True

    async def ask(self, labels, cursor, limit):
        """One round: ``labels`` at once, each from its position in ``cursor``."""

        def query_of(label):
            position = cursor.position(label)
            marker = position if isinstance(position, str) else None
            return self.query.sub_query(marker=marker, limit=limit)

        branches = [self.job.by_label[label] for label in labels]
        replies = await self.job.sender.send_all(branches, query_of, read_json=True)
        self.replies.update(replies)
        return replies

    async def owner_of(self, marker, limit):
        """A plain id: the first branch that knows it continues after it; those before it
        are done, those after it start from their beginning (asked again, no marker)."""
        owner = next((b for b in self.labels if self.replies[b].answer.ok), None)
        if owner is None:
            return paging.Cursor({b: marker for b in self.labels})
        index = self.labels.index(owner)
        later = self.labels[index + 1 :]
        positions = {b: paging.DONE for b in self.labels[:index]}
        positions[owner] = marker
        positions.update({b: paging.NOT_STARTED for b in later})
        for label in later:
            self.replies.pop(label).close()
        for label in self.labels[:index]:
            self.replies.pop(label).close()
        cursor = paging.Cursor(positions)
        await self.ask(later, cursor, limit)
        return cursor

    async def answer(self):
        cursor, owner_search = self.start()
        asked = [b for b in self.labels if not _finished(cursor.position(b))]
        limit = self.query.limit
        if limit is not None and asked:  # each branch's page must fit the item bound
            limit = min(limit, max(1, self.job.limits.max_items // len(asked)))
        await self.ask(asked, cursor, limit)
        if owner_search:
            cursor = await self.owner_of(self.query.marker, limit)
            asked = [b for b in self.labels if b in self.replies]
        if not asked:
            return self._empty(cursor)
        answers_of = {label: self.replies[label].answer for label in asked}
        pages, failures, notes = merge.collect(asked, answers_of, self.key, cursor, limit)
        for label, why in notes.items():
            self.job.log_note(f"{self.replies[label].served_by} {why}")
        for page in pages.values():
            self.job.budget.take_items(len(page.items))
        if not pages:
            return await self._no_list(asked, answers_of)
        page_query = paging.Query(self.query.params, limit, None, self.query.sort)
        merged = merge.merge_collection(self.labels, pages, failures, cursor, page_query, self.key)
        document = links.merged_body(
            merged, self.key, self.query, self.job.url(), self.job.service
        )
        last = merge.item_id(merged.items[-1]) if merged.items else None
        if last is not None:
            after = merged.cursor or paging.Cursor({b: paging.DONE for b in self.labels})
            self.recent.remember(self.where, last, after)
        served = {label: reply.served_by for label, reply in self.replies.items()}
        first = next(self.replies[b].answer for b in self.labels if b in pages)
        return answers.merged_page(
            document,
            first,
            [served[b] for b in merged.answered],
            [(served.get(b, b), why) for b, why in merged.partial.items()],
        )

    def _empty(self, cursor):
        """Every branch done: the empty page after the last one."""
        failed = [(b, p["failed"]) for b, p in cursor.positions.items() if isinstance(p, dict)]
        return answers.merged_page({self.key: []}, merge.Answer(200), [], failed)

    async def _no_list(self, asked, answers_of):
        """No branch gave a list: 2xx answers that are not lists make it one resource; a
        4xx every branch gave goes on as it is; anything else is a 503 naming each."""
        if any(answer.ok for answer in answers_of.values()):
            return await answers.one_resource(
                self.job.request, asked, self.replies, self.job.describe
            )
        if merge.same_client_error(asked, answers_of):
            return answers.passed_on(answers_of[asked[0]])
        named = ", ".join(f"{b}={answers_of[b].describe()}" for b in asked)
        return answers.error(503, self.job.describe(f"no cloud gave its list: {named}"))


async def serve(job, key, recent):
    """The answer to ``job`` (server._FanOut), a request for the collection ``key``."""
    page = _Page(job, key, recent)
    try:
        return await page.answer()
    finally:
        for reply in page.replies.values():
            reply.close()
