"""Fuzz the Lua router with scope and token headers: never a Lua error, always an answer.

Every answer must be a route to a backend of the table or an error status with a message,
which haproxy.cfg turns into JSON.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STATUSES = {400, 404, 501, 503, 508}
CLOUDS = ["CloudOne", "CloudTwo", "CloudThree", "", " ", "Cloud One", "é"]
SERVICES = ["image", "glance", "Image", "compute", "nova", "identity", "network", "imagez", ""]
PATHS = ["/image/v2/images", "/compute/v2.1/servers", "/identity/v3", "/", "/images", ""]

expressions = st.recursive(
    st.sampled_from(CLOUDS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["|", "&", " | ", "||", ")", "("]), inner).map("".join),
        inner.map(lambda e: f"({e})"),
    ),
    max_leaves=6,
)
json_values = st.one_of(
    expressions,
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=2),
)
scope_objects = st.lists(
    st.tuples(st.sampled_from(SERVICES) | st.text(max_size=8), json_values), max_size=4
).map(lambda items: "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in items) + "}")


def _mutate(data):
    text, cut, insert = data
    cut = min(cut, len(text))
    return text[:cut] + insert + text[cut:]


scope_texts = st.one_of(
    scope_objects,
    st.tuples(scope_objects, st.integers(0, 60), st.text(max_size=3)).map(_mutate),
    st.text(max_size=40),
    st.binary(max_size=40),
)
tokens = st.one_of(
    st.none(),
    st.just("gAAAAAtoken"),
    st.tuples(st.just("gAAAAAtoken!SCOPE!"), scope_texts).map(
        lambda t: t[0].encode() + t[1] if isinstance(t[1], bytes) else t[0] + t[1]
    ),
    st.text(max_size=30),
)
requests = st.fixed_dictionaries(
    {
        "frontend": st.sampled_from(["CloudOne:127.0.0.1:80", "CloudOne:127.0.0.1:9696", "x"]),
        "path": st.sampled_from(PATHS) | st.text(max_size=20),
        "token": tokens,
        "scope": st.none() | scope_texts,
        "hops": st.sampled_from([None, "0", "1", "2", "3", "x", "", "99999999"]),
    }
)


@settings(
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=requests, up=st.sets(st.sampled_from(["CloudOne:image", "CloudTwo:image"])))
def test_every_request_gets_a_route_or_an_error(router, plan, request, up):
    decision = router(request, up)
    if "backend" in decision:
        assert decision["backend"] in plan.routes.values()
        assert decision["cloud"] in plan.clouds
    else:
        assert decision["status"] in STATUSES, decision
        assert isinstance(decision["message"], str) and decision["message"]
