"""Hypothesis strategies shared by the scope property tests (fixtures, so that pytest's
importlib mode needs no package layout)."""

import string

import pytest
from hypothesis import strategies as st

from osc_scope.scope import Cloud, Scope, expression, service_types

NAME_ALPHABET = string.ascii_letters + string.digits + "_.-"
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_="

cloud_names = st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=12)
clouds = cloud_names.map(Cloud)
expressions = st.recursive(
    clouds,
    lambda children: (
        st.lists(children, min_size=2, max_size=4).map(lambda xs: expression.failover(*xs))
        | st.lists(children, min_size=2, max_size=4).map(lambda xs: expression.fan_out(*xs))
    ),
    max_leaves=10,
)
official_types = st.sampled_from(service_types.official_types())
scopes = st.dictionaries(official_types, expressions, max_size=6).map(Scope)
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=1, max_size=200)


@pytest.fixture(scope="session")
def strategies():
    return {
        "cloud_names": cloud_names,
        "expressions": expressions,
        "official_types": official_types,
        "scopes": scopes,
        "tokens": tokens,
    }
