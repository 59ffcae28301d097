"""The routing table: build from catalog records, validate, round-trip through JSON."""

import json
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osc_scope.routing import table
from osc_scope.routing.catalog import Endpoint

EXAMPLE = pathlib.Path(__file__).parents[2] / "vectors" / "routing_table.json"


def two_clouds():
    return [
        Endpoint("CloudOne", "identity", "public", "http://127.0.0.1/identity"),
        Endpoint("CloudOne", "image", "public", "http://127.0.0.1/image"),
        Endpoint("CloudOne", "network", "public", "http://127.0.0.1:9696/"),
        Endpoint("CloudTwo", "image", "public", "http://127.0.0.2/image"),
    ]


def test_the_shared_example_is_a_valid_table():
    example = table.load(EXAMPLE)
    assert example.names == ["CloudOne", "CloudTwo"]
    assert example.cloud("CloudTwo").endpoints_for("image")[0].backends == ("127.0.0.2:9293",)


def test_build_groups_regions_into_clouds_with_their_frontends():
    result = table.build(two_clouds(), {"http://127.0.0.1/image/": ["127.0.0.1:9293"]})
    one = result.cloud("CloudOne")
    assert one.frontends == ("http://127.0.0.1:80", "http://127.0.0.1:9696")
    assert one.service_types == ["identity", "image", "network"]
    assert one.endpoints_for("image")[0].backends == ("127.0.0.1:9293",)
    assert result.cloud("CloudTwo").endpoints_for("image")[0].backends == ()


def test_region_filter_and_missing_region():
    assert table.build(two_clouds(), regions={"CloudTwo"}).names == ["CloudTwo"]
    with pytest.raises(table.TableError, match="CloudNine"):
        table.build(two_clouds(), regions={"CloudNine"})


def test_backends_for_an_unknown_url_are_a_typo_not_a_silent_gap():
    with pytest.raises(table.TableError, match="http://127.0.0.1/imag"):
        table.build(two_clouds(), {"http://127.0.0.1/imag": ["127.0.0.1:9293"]})


def test_unknown_cloud_names_the_known_ones():
    with pytest.raises(table.TableError, match="CloudThree.*CloudOne, CloudTwo"):
        table.build(two_clouds()).cloud("CloudThree")


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format=2), "format"),
        (lambda d: d.update(clouds={}), "no clouds"),
        (lambda d: d["clouds"].update({"Cloud One": d["clouds"]["CloudOne"]}), "cloud name"),
        (lambda d: d["clouds"]["CloudOne"].update(region="X"), "region"),
        (lambda d: d["clouds"]["CloudOne"].update(endpoints=[]), "no endpoints"),
        (lambda d: d["clouds"]["CloudOne"]["endpoints"][0].update(url="ftp://x/"), "http"),
        (lambda d: d["clouds"]["CloudOne"]["endpoints"][0].update(backends=["nope"]), "host:port"),
        (lambda d: d["clouds"]["CloudOne"]["endpoints"][0].pop("service_type"), "service_type"),
        (lambda d: d["clouds"]["CloudOne"].update(frontends=["http://127.0.0.1:80"]), "9696"),
        (
            lambda d: d["clouds"]["CloudTwo"].update(
                {k: d["clouds"]["CloudOne"][k] for k in ("endpoints", "frontends")}
            ),
            "share",
        ),
    ],
)
def test_broken_tables_are_refused_saying_where(tmp_path, mutate, message):
    document = json.loads(EXAMPLE.read_text())
    mutate(document)
    path = tmp_path / "table.json"
    path.write_text(json.dumps(document))
    with pytest.raises(table.TableError, match=message):
        table.load(path)


def test_dump_is_atomic_and_loads_back(tmp_path):
    built = table.build(two_clouds(), {"http://127.0.0.1:9696": "127.0.0.1:9697"})
    path = tmp_path / "out" / "table.json"
    built.dump(path)
    assert table.load(path) == built
    assert [p.name for p in path.parent.iterdir()] == ["table.json"]


def test_read_backends_accepts_a_single_address(tmp_path):
    path = tmp_path / "backends.json"
    path.write_text(
        json.dumps({"http://h/image": "10.0.0.1:9292", "http://h:5000": ["a:1", "b:2"]})
    )
    assert table.read_backends(path) == {
        "http://h/image": ["10.0.0.1:9292"],
        "http://h:5000": ["a:1", "b:2"],
    }


def test_frontend_of_makes_ports_explicit():
    assert table.frontend_of("https://Cloud.example/identity") == "https://cloud.example:443"
    assert table.frontend_of("http://[::1]:8080/x") == "http://[::1]:8080"


names = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)
services = st.sampled_from(["identity", "image", "compute", "network", "placement", "dns"])
hosts = st.sampled_from(["127.0.0.1", "127.0.0.2", "cloud.example", "[::1]"])


@st.composite
def catalogs(draw):
    regions = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    endpoints = []
    for index, region in enumerate(regions):
        for service in draw(st.lists(services, min_size=1, max_size=4, unique=True)):
            port = 1000 + index * 10 + draw(st.integers(0, 9))
            host = draw(hosts)
            endpoints.append(
                Endpoint(region, service, "public", f"http://{host}:{port}/{service}")
            )
    return endpoints


@settings(max_examples=300, deadline=None)
@given(catalogs())
def test_any_built_table_round_trips_through_json(endpoints):
    built = table.build(endpoints)
    assert table.from_dict(json.loads(json.dumps(built.to_dict()))) == built
    assert set(built.names) == {e.region for e in endpoints}
