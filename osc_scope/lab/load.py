"""Steady HTTP load with a record of every answer: what chaos runs measure failures with.

Each client is a thread with one kept-alive connection (as the ``openstack`` CLI and the
services keep theirs), sending its request again and again until stopped. Nothing is
retried on the client side: a closed connection, a refused one or a 5xx counts as failed,
so the figures are what the routers achieve alone. Every answer is kept as a ``Sample``
(when it started and ended, method, status or error, and which cloud served it when the
answer names one), for the summaries the chaos table prints.
"""

import dataclasses
import http.client
import json
import threading
import time
import urllib.parse

__all__ = ["Sample", "SteadyLoad", "summary"]


@dataclasses.dataclass
class Sample:
    start: float
    end: float
    method: str
    status: int  # 0: no HTTP answer (see error)
    error: str = ""
    served_by: str = ""  # the cloud the answer names, when it names one
    body: str = ""  # the start of an error answer
    client: int = 0

    @property
    def failed(self):
        return self.status == 0 or self.status >= 500


class SteadyLoad:
    """``clients`` threads sending ``method`` to ``url`` with ``headers`` until ``stop``.

    ``served_by(status, body)`` names the cloud that answered (e.g. from an echo body or
    an image list); by default the ``cloud`` key of a JSON body."""

    def __init__(self, url, headers=None, clients=4, methods=("GET",), served_by=None,
                 timeout=30, pause=0.0):  # fmt: skip
        self.url = urllib.parse.urlsplit(url)
        self.headers = dict(headers or {})
        self.methods = methods
        self.served_by = served_by or _cloud_of_json
        self.timeout = timeout
        self.pause = pause
        self.samples = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)
        ]

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self.samples

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def count(self, predicate=lambda sample: True):
        with self._lock:
            return sum(1 for sample in self.samples if predicate(sample))

    def _connection(self):
        https = self.url.scheme == "https"
        cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
        return cls(self.url.hostname, self.url.port, timeout=self.timeout)

    def _client(self, index):
        connection = self._connection()
        path = self.url.path + (f"?{self.url.query}" if self.url.query else "")
        turn = index
        while not self._stop.is_set():
            method = self.methods[turn % len(self.methods)]
            turn += 1
            start = time.monotonic()
            try:
                body = b"{}" if method in ("POST",) else None
                connection.request(method, path, body=body, headers=self.headers)
                response = connection.getresponse()
                data = response.read()
                sample = Sample(start, time.monotonic(), method, response.status)
                text = data.decode(errors="replace")
                sample.served_by = self.served_by(response.status, text)
                if response.status >= 400:
                    sample.body = text[:300]
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                sample = Sample(start, time.monotonic(), method, 0, type(exc).__name__)
                connection.close()
                connection = self._connection()
            sample.client = index
            with self._lock:
                self.samples.append(sample)
            if self.pause:
                self._stop.wait(self.pause)
        connection.close()


def _cloud_of_json(status, text):
    try:
        value = json.loads(text)
    except ValueError:
        return ""
    return value.get("cloud", "") if isinstance(value, dict) else ""


def summary(samples, since=None):
    """Requests, failed ones (all / idempotent), the longest window of failures (from the
    start of the first failed request to the end of the last one of a run with no success
    in between) in seconds."""
    chosen = sorted((s for s in samples if since is None or s.start >= since), key=_start)
    failed = [s for s in chosen if s.failed]
    window, run_start, run_end = 0.0, None, None
    for sample in sorted(chosen, key=lambda s: s.end):
        if sample.failed:
            run_start = sample.start if run_start is None else min(run_start, sample.start)
            run_end = sample.end
            window = max(window, run_end - run_start)
        else:
            run_start = run_end = None
    idempotent = [s for s in failed if s.method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")]
    return {
        "requests": len(chosen),
        "failed": len(failed),
        "failed_idempotent": len(idempotent),
        "failed_window": window,
    }


def _start(sample):
    return sample.start
