"""Say on stderr which clouds a fan-out answer is missing (``X-Scope-Partial``).

A fan-out (``A&B``) whose branch is down, slow or refusing still answers 200 with what the
other clouds gave, and names the missing ones in ``X-Scope-Partial: <cloud>=<why>[, ...]``.
``openstack`` would print the shorter list as if it were whole; this hook logs one warning
line per missing cloud (``openstack`` prints warnings on stderr), once per command even when
paging meets the same gap on every page.
"""

import logging

from osc_scope.scope import PARTIAL_HEADER

__all__ = ["PartialReporter", "parse"]

LOG = logging.getLogger(__name__)


def parse(value):
    """[(branch, why)] of an ``X-Scope-Partial`` value; malformed parts are skipped."""
    result = []
    for part in (value or "").split(","):
        branch, sep, why = part.strip().partition("=")
        if sep and branch and why:
            result.append((branch, why))
    return result


class PartialReporter:
    """A ``requests`` response hook; one per scoped session, so warnings are not repeated."""

    def __init__(self):
        self.reported = set()

    def __call__(self, response, *args, **kwargs):
        for branch, why in parse(response.headers.get(PARTIAL_HEADER)):
            if (branch, why) not in self.reported:
                self.reported.add((branch, why))
                LOG.warning(
                    "osc-scope: %s is missing from this fan-out answer (%s): the result holds "
                    "the other clouds' part only",
                    branch[:300],
                    why[:200],
                )
        return response
