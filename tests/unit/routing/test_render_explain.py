"""``osc-scope explain``: the router's choice per service, offline."""

import pathlib

from osc_scope.cmd import main

TABLE = str(pathlib.Path(__file__).resolve().parents[2] / "vectors" / "routing_table.json")


def run(capsys, *args):
    code = main.main(["explain", "--table", TABLE, "--cloud", "CloudOne", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_service_with_its_backend(capsys):
    code, out, _ = run(capsys, '{"glance": "CloudTwo|CloudOne"}')
    assert code == 0
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert set(lines) == {"compute", "identity", "image", "network", "placement"}
    assert "CloudTwo:image (http://127.0.0.2/image), else CloudOne:image" in lines["image"]
    assert "CloudOne:compute (local 127.0.0.1:8775)" in lines["compute"]


def test_one_path(capsys):
    code, out, _ = run(capsys, '{"image": "CloudTwo"}', "--path", "/image/v2/images")
    assert code == 0
    assert out.startswith("image  CloudTwo  -> CloudTwo:image")


def test_refusals_say_why(capsys):
    code, out, _ = run(capsys, '{"image": "CloudOne&CloudTwo"}', "--path", "/image")
    assert code == 1 and "501" in out
    code, out, _ = run(capsys, '{"image": "Nowhere"}', "--path", "/image")
    assert code == 1 and "known: CloudOne, CloudTwo" in out
    code, out, _ = run(capsys, "--path", "http://127.0.0.1/nothing/here")
    assert code == 1 and "404" in out
    code, out, _ = run(capsys, "--path", "http://127.0.0.1:9696/v2.0/networks")
    assert code == 0 and out.startswith("network")
    code, _, err = run(capsys, '{"image": ')
    assert code == 1 and err.startswith("osc-scope: error:")
