"""Where the lab's parts live: one loopback address per cloud, HAProxy in front."""

from osc_scope.lab import layout


def test_one_loopback_address_per_cloud_in_order():
    lab = layout.Lab("/tmp/x", ("CloudOne", "CloudTwo", "CloudThree"))
    assert [(c.name, c.address) for c in lab.clouds] == [
        ("CloudOne", "127.0.0.1"),
        ("CloudTwo", "127.0.0.2"),
        ("CloudThree", "127.0.0.3"),
    ]


def test_catalog_urls_are_the_frontend_and_backends_other_ports():
    cloud = layout.Lab("/tmp/x", ("CloudOne", "CloudTwo")).cloud("CloudTwo")
    assert cloud.url("identity") == "http://127.0.0.2/identity"
    assert cloud.url("compute") == "http://127.0.0.2/compute/v2.1"
    assert cloud.url("network") == "http://127.0.0.2:9696/"
    assert cloud.backend("image") == "127.0.0.2:9293"
    assert cloud.direct_auth_url == "http://127.0.0.2:5001/identity/v3"
    assert cloud.frontend_ports() == [80, 9696]
    for _, frontend_port, backend_port in layout.SERVICES.values():
        assert frontend_port != backend_port


def test_state_round_trip(tmp_path):
    lab = layout.Lab(str(tmp_path), ("A", "B"))
    lab.save()
    assert layout.Lab.load(str(tmp_path)) == lab
    assert layout.Lab.load(str(tmp_path / "none")) is None
