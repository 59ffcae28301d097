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


def test_the_wan_is_kept_with_the_lab_and_older_labs_have_none(tmp_path):
    lab = layout.Lab(str(tmp_path), ("A", "B"), wan=True, wan_netem="delay 50ms")
    lab.save()
    assert layout.Lab.load(str(tmp_path)) == lab
    (tmp_path / "lab.json").write_text('{"clouds": ["A", "B"]}')
    assert layout.Lab.load(str(tmp_path)).wan is False


def test_each_cloud_has_its_wan_address_and_namespace():
    mesh = layout.Lab("/tmp/x", ("CloudOne", "CloudTwo", "CloudThree")).mesh
    assert [mesh.address(c) for c in mesh.clouds] == ["10.213.0.1", "10.213.0.2", "10.213.0.3"]
    assert mesh.namespace("CloudTwo").startswith("osc-scope-")
    assert mesh.namespace("CloudTwo").endswith("-CloudTwo")
    other_lab = layout.Lab("/tmp/y", mesh.clouds).mesh
    assert mesh.namespace("CloudTwo") != other_lab.namespace("CloudTwo")
    assert mesh.device("CloudOne", "CloudThree") == "wan2"
    assert len(mesh.pairs()) == 3
