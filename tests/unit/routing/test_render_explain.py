"""``osc-scope explain``: the router's answer per service, offline (every case of the
shared decision data runs through it too: test_decision_vectors.py)."""

import dataclasses
import json
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
    assert set(lines) == {"compute", "identity", "image", "network", "placement", "X-Scope"}
    assert "CloudTwo:image (http://127.0.0.2/image), else CloudOne:image" in lines["image"]
    assert "CloudOne:compute (local 127.0.0.1:8775)" in lines["compute"]
    # the scope this (first) router forwards, completed
    assert lines["X-Scope"] == (
        'forwarded: {"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo|CloudOne",'
        '"network":"CloudOne","placement":"CloudOne"}'
    )


def test_one_path(capsys):
    code, out, _ = run(capsys, '{"image": "CloudTwo"}', "--path", "/image/v2/images")
    assert code == 0
    assert out.startswith("image  CloudTwo  -> CloudTwo:image")


def test_what_is_down_changes_the_answer(capsys):
    scope = '{"image": "CloudTwo|CloudOne"}'
    code, out, _ = run(capsys, scope, "--path", "/image", "--down", "CloudTwo")
    assert code == 0 and out.startswith("image  CloudTwo|CloudOne  -> CloudOne:image (local")
    code, out, _ = run(capsys, scope, "--path", "/image", "--down", "CloudTwo:image,CloudOne")
    assert code == 1
    assert "-> 503: no cloud of CloudTwo|CloudOne is up for image" in out
    code, out, _ = run(capsys, "--path", "/image", "--down", "CloudOne:image")
    assert "-> 503: cloud CloudOne is unavailable for image: no server of CloudOne:image" in out
    code, _, err = run(capsys, "--down", "CloudNine")
    assert code == 1 and err.startswith("osc-scope: error: --down CloudNine: neither a cloud")


def test_hops_as_another_router_sends_them(capsys):
    code, out, _ = run(capsys, '{"image": "CloudTwo"}', "--path", "/image", "--hops", "1")
    assert code == 0 and "X-Scope forwarded" not in out  # only the first router completes
    code, out, _ = run(capsys, "--path", "/image", "--hops", "3")
    assert code == 1 and "-> 508: the request went through 3 scope routers" in out


def test_a_fan_out_shows_each_branch(capsys):
    scope = '{"image": "(CloudTwo|CloudOne)&CloudOne"}'
    code, out, _ = run(capsys, scope, "--path", "/image/v2/images", "--down", "CloudTwo")
    lines = out.splitlines()
    assert code == 0
    assert "(CloudTwo|CloudOne)&CloudOne  -> osc-scope:fanout (the fan-out service" in lines[0]
    assert "branch CloudTwo|CloudOne  -> CloudOne:image (local" in lines[1]
    assert "branch CloudOne  -> CloudOne:image (local" in lines[2]
    code, out, _ = run(capsys, scope, "--path", "/image/v2/images", "--down", "fanout")
    assert code == 1 and "503: the fan-out service of cloud CloudOne is down" in out


def test_refusals_say_why(capsys):
    code, out, _ = run(
        capsys, '{"image": "CloudOne&CloudTwo"}', "--path", "/image", "--method", "post"
    )
    assert code == 1 and "-> 501: fan-out ('&') serves only GET and HEAD, not POST" in out
    code, out, _ = run(capsys, '{"image": "Nowhere"}', "--path", "/image")
    assert code == 1 and "known clouds: CloudOne, CloudTwo" in out
    code, out, _ = run(capsys, "--path", "http://127.0.0.1/nothing/here")
    assert code == 1 and "-> 404: no service of cloud CloudOne at path /nothing/here" in out
    code, out, _ = run(capsys, "--path", "http://127.0.0.1:9696/v2.0/networks")
    assert code == 0 and out.startswith("network")
    code, out, _ = run(capsys, '{"image": ')
    assert code == 1 and out.count("-> 400: malformed scope: not valid JSON") == 5


def test_a_fan_out_s_sub_request_keeps_its_failover_order():
    from osc_scope.routing import decision, plan

    table = plan.build(json.loads(pathlib.Path(TABLE).read_text()), "CloudOne")
    headers = {"X-Scope": '{"image": "CloudTwo|CloudOne"}', "X-Scope-Hops": "1"}
    url = "http://127.0.0.1/image/v2/images"
    request = decision.request(table, url, headers)
    assert decision.decide(table, request).cloud == "CloudOne"
    internal = dataclasses.replace(request, internal=True)
    assert decision.decide(table, internal).cloud == "CloudTwo"
