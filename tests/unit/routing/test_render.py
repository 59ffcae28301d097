"""Rendering one cloud's router from the routing table."""

import copy
import json
import pathlib
import re
import shutil
import subprocess

import pytest
from lupa.lua53 import LuaRuntime

from osc_scope.cmd import main
from osc_scope.routing import answers, native, render, router_data, timing

TABLE_PATH = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "routing_table.json"
TABLE = json.loads(TABLE_PATH.read_text())
WIRE = (
    '{"compute":"CloudOne","identity":"CloudOne","image":"CloudTwo",'
    '"network":"CloudOne","placement":"CloudOne"}'
)


@pytest.fixture
def rendered(tmp_path):
    render.render(TABLE, "CloudOne", tmp_path)
    return tmp_path


def test_writes_everything_haproxy_needs(rendered):
    names = {p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file()}
    assert {"haproxy.cfg", "routing.lua", "maps/routes.map", "lua/osc_scope/haproxy.lua"} <= names
    config = (rendered / "haproxy.cfg").read_text()
    assert "bind 127.0.0.1:80" in config and "bind 127.0.0.1:9696" in config
    assert "backend CloudTwo:image" in config and "backend CloudOne:image" in config
    assert "http-request set-header Host 127.0.0.2\n" in config
    assert "prometheus-exporter" in config and "bind 127.0.0.1:8405" in config
    assert "X-Auth-Token" not in config.split("log-format")[1].split("\n")[0]


def test_metrics_default_to_the_cloud_s_own_loopback_address(tmp_path):
    render.render(TABLE, "CloudTwo", tmp_path)
    assert "bind 127.0.0.2:8405\n" in (tmp_path / "haproxy.cfg").read_text()
    render.render(TABLE, "CloudTwo", tmp_path, metrics=None)
    assert "prometheus-exporter" not in (tmp_path / "haproxy.cfg").read_text()


def test_prefix_maps_are_longest_first_and_whole_segments(rendered):
    prefix = (rendered / "maps" / "CloudOne_127.0.0.1_80.prefix.map").read_text().split("\n")
    lengths = [len(line.split(" ")[0]) for line in prefix if line]
    assert lengths == sorted(lengths, reverse=True)
    assert "/compute/v2.1/ compute" in prefix
    assert (rendered / "maps" / "CloudOne_127.0.0.1_9696.prefix.map").read_text() == "/ network\n"


def test_alias_and_cloud_maps(rendered):
    aliases = dict(
        line.split(" ") for line in (rendered / "maps" / "aliases.map").read_text().splitlines()
    )
    assert aliases["glance"] == "image" and aliases["volumev3"] == "block-storage"
    assert aliases["image"] == "image" and aliases["object-store"] == "object-store"
    clouds = (rendered / "maps" / "clouds.map").read_text()
    assert clouds == "CloudOne CloudOne\nCloudTwo CloudTwo\n"


def test_routes_map_every_service_and_cloud(rendered):
    routes = dict(
        line.split(" ") for line in (rendered / "maps" / "routes.map").read_text().splitlines()
    )
    assert routes["CloudTwo/image"] == "CloudTwo:image"
    assert routes["CloudOne/identity"] == "CloudOne:identity"
    assert len(routes) == 10
    # one key order everywhere: the plan's routes are the map's lines
    assert routes == render.plan_mod.build(TABLE, "CloudOne").routes


@pytest.mark.parametrize(
    "scope, complete, canonical",
    [
        (WIRE, True, True),
        ("{}", False, True),
        ('{"image":"CloudTwo"}', False, True),
        (WIRE.replace('"image":"CloudTwo"', '"image":"CloudTwo|CloudOne"'), True, True),
        (WIRE.replace('"image":"CloudTwo"', '"image":"A|B|C"'), True, True),
        (WIRE.replace('"image":"CloudTwo"', '"image":"A|B|C|D"'), False, False),
        (WIRE.replace('"image":"CloudTwo"', '"image":"A&B"'), False, False),
        (WIRE.replace('"image":"CloudTwo"', '"image":"A|"'), False, False),
        (WIRE.replace('"compute":"CloudOne",', ""), False, True),
        (WIRE.replace("{", '{"zzz":"A",'), False, False),
        ('{"image":"A","image":"B"}', False, False),
        ('{"image":"B","compute":"A"}', False, False),
        ('{"image":"A",}', False, False),
        ('{,"image":"A"}', False, False),
        ('{"image":"A""network":"B"}', False, False),
        ('{"image": "A"}', False, False),
        ('{"glance":"A"}', False, False),
    ],
)
def test_fast_path_regexes_take_only_canonical_scopes(rendered, scope, complete, canonical):
    def matches(name):
        pattern = (rendered / "maps" / name).read_text().strip()
        return re.search(pattern, scope) is not None

    assert matches("scope-complete.re") is complete
    assert matches("scope-canonical.re") is canonical


def test_routing_lua_loads_in_lua_53(rendered):
    lua = LuaRuntime()
    routing = lua.execute((rendered / "routing.lua").read_text())
    assert routing.local_cloud == "CloudOne"
    assert routing.cloud_count == 2
    assert routing.known_text == "CloudOne, CloudTwo"
    assert list(routing.local_types.values()) == [
        "compute", "identity", "image", "network", "placement"
    ]  # fmt: skip
    assert routing.frontends["CloudOne:127.0.0.1:9696"][""] == "network"


def test_checks_of_other_clouds_share_a_budget(tmp_path):
    # CloudOne's table has 5 services in CloudTwo: 5 remote servers to check
    render.render(TABLE, "CloudOne", tmp_path, check_interval="2s")
    config = (tmp_path / "haproxy.cfg").read_text()
    assert config.count("check inter 2000ms fastinter 2000ms downinter 2000ms observe layer4") == 5
    render.render(TABLE, "CloudOne", tmp_path, check_interval="500ms", check_rate=0.5)
    config = (tmp_path / "haproxy.cfg").read_text()
    assert config.count("check inter 10000ms fastinter 500ms downinter 500ms observe layer4") == 5
    assert "inter 500ms" in config  # local servers keep the interval asked for


@pytest.mark.parametrize("text, ms", [("200ms", 200), ("2s", 2000), ("1m", 60000), ("750", 750)])
def test_haproxy_times(text, ms):
    assert timing.milliseconds(text) == ms


def test_refusals_are_backends_the_routed_path_never_evaluates(rendered):
    config = (rendered / "haproxy.cfg").read_text()
    frontend = config.split("frontend CloudOne:127.0.0.1:80\n")[1].split("\nbackend ")[0]
    assert "http-request return" not in frontend
    for code, _title in answers.REFUSALS:
        assert f"backend osc-scope:error-{code}\n" in config
    assert "default_backend osc-scope:no-decision" in frontend


def _acls(lines):
    """(declared, used): the named ACLs that ``lines`` declare and that their conditions
    use (anonymous { ... } ACLs left out)."""
    declared, used = set(), set()
    for line in lines:
        if line.startswith("acl "):
            declared.add(line.split()[1])
        match = re.search(r" (?:if|unless) (.*)$", line)
        if match and not line.startswith("#"):
            named = re.sub(r"\{[^}]*\}", " ", match.group(1)).split()
            used.update(word.lstrip("!") for word in named if word not in ("||", "!"))
    return declared, used


def test_the_native_path_declares_every_acl_it_uses_and_only_it_uses_them(rendered):
    config = (rendered / "haproxy.cfg").read_text()
    frontend = config.split("frontend CloudOne:127.0.0.1:80\n")[1].split("\n\n")[0]
    lines = [line.strip() for line in frontend.splitlines()]
    native_lines = native.frontend_rules(render.plan_mod.build(TABLE, "CloudOne"))
    assert "\n".join(native_lines) in "\n".join(lines)
    declared, used = _acls(native_lines)
    assert used and used <= declared, used - declared
    others_declared, others_used = _acls([line for line in lines if line not in native_lines])
    assert others_used <= others_declared, others_used - others_declared


def test_lua_only_routers_have_no_native_rules(tmp_path):
    render.render(TABLE, "CloudOne", tmp_path, fast_path=False)
    config = (tmp_path / "haproxy.cfg").read_text()
    assert "osc_fast" not in config and "lua.interpret_scope" in config


def test_the_lua_glue_is_told_where_the_maps_are(rendered):
    config = (rendered / "haproxy.cfg").read_text()
    assert f"setenv OSC_SCOPE_MAPS {router_data.MAPS_DIR}\n" in config
    assert f"map_str({router_data.ROUTES_MAP})" in config
    assert (rendered / router_data.ROUTES_MAP).is_file()
    glue = (rendered / "lua" / "osc_scope" / "haproxy.lua").read_text()
    assert 'os.getenv("OSC_SCOPE_MAPS")' in glue and 'os.getenv("OSC_SCOPE_ROUTING")' in glue


def test_haproxy_error_pages_fill_in_the_decision(rendered):
    config = (rendered / "haproxy.cfg").read_text()
    page = next(line for line in config.splitlines() if "http-error status 503" in line)
    assert (
        "cloud %[var(txn.osc_cloud),json(utf8s)] is unavailable for "
        "%[var(txn.osc_service),json(utf8s)]: no server of %b is up"
    ) in page


def test_remote_path_prefix_is_rewritten_when_it_differs(tmp_path):
    table = copy.deepcopy(TABLE)
    for endpoint in table["clouds"]["CloudTwo"]["endpoints"]:
        if endpoint["service_type"] == "image":
            endpoint["url"] = "http://127.0.0.2/glance"
    render.render(table, "CloudOne", tmp_path)
    config = (tmp_path / "haproxy.cfg").read_text()
    assert "http-request replace-path ^/image/?(.*)$ /glance/\\1" in config
    assert "uri /glance/ " in config


@pytest.mark.parametrize(
    "change, options, needle",
    [
        (lambda t: None, {"metrics": "10.1.2.3:8405"}, "loopback"),
        (lambda t: t["clouds"]["CloudOne"]["endpoints"][0].update(backends=[]), {}, "no backend"),
        (
            lambda t: t["clouds"]["CloudTwo"].update(
                frontends=["https://127.0.0.2:443", "http://127.0.0.2:9696"],
                endpoints=[
                    dict(e, url=e["url"].replace("http://127.0.0.2/", "https://127.0.0.2/"))
                    for e in t["clouds"]["CloudTwo"]["endpoints"]
                ],
            ),
            {},
            "--ca-file",
        ),
        (lambda t: None, {"check_interval": "2 seconds"}, "bad time"),
        (lambda t: None, {"check_rate": -1}, "check rate must be positive"),
    ],
)
def test_refusals(tmp_path, change, options, needle):
    table = copy.deepcopy(TABLE)
    change(table)
    with pytest.raises(render.RenderError, match=re.escape(needle)):
        render.render(table, "CloudOne", tmp_path, **options)


def test_https_to_other_clouds_verifies_unless_insecure(tmp_path):
    table = copy.deepcopy(TABLE)
    cloud = table["clouds"]["CloudTwo"]
    cloud["frontends"] = ["https://127.0.0.2:443", "http://127.0.0.2:9696"]
    for endpoint in cloud["endpoints"]:
        endpoint["url"] = endpoint["url"].replace("http://127.0.0.2/", "https://127.0.0.2/")
    render.render(table, "CloudOne", tmp_path / "a", ca_file="/etc/ca.pem")
    config = (tmp_path / "a" / "haproxy.cfg").read_text()
    assert "ssl verify required ca-file /etc/ca.pem sni str(127.0.0.2)" in config
    render.render(table, "CloudOne", tmp_path / "b", insecure=True)
    assert "ssl verify none" in (tmp_path / "b" / "haproxy.cfg").read_text()


def test_render_command_errors_are_one_line(tmp_path, capsys):
    code = main.main(
        ["render", "--table", str(TABLE_PATH), "--cloud", "Nope", "--output-dir", str(tmp_path)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("osc-scope: error: unknown cloud 'Nope'") and err.count("\n") == 1


@pytest.mark.haproxy
@pytest.mark.skipif(not shutil.which("haproxy"), reason="haproxy is not installed")
def test_haproxy_accepts_the_result(tmp_path, capsys):
    args = ["render", "--table", str(TABLE_PATH), "--cloud", "CloudTwo"]
    assert main.main([*args, "--output-dir", str(tmp_path)]) == 0
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # the directory works from anywhere: paths in it are relative to the config
    moved = tmp_path.parent / "moved"
    shutil.move(str(tmp_path), moved)
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(moved / "haproxy.cfg")], capture_output=True, cwd="/"
    )
    assert result.returncode == 0, result.stderr


def test_the_fan_out_service_gets_its_configuration_from_the_same_plan(tmp_path, capsys):
    args = ["render", "--table", str(TABLE_PATH), "--cloud", "CloudOne"]
    options = ["--fanout-run-dir", "/run/osc-scope", "--fanout-max-items", "500",
               "--fanout-timeout", "7.5", "--no-check"]  # fmt: skip
    assert main.main([*args, "--output-dir", str(tmp_path), *options]) == 0
    config = json.loads((tmp_path / "fanout.json").read_text())
    assert config["local_cloud"] == "CloudOne" and config["listen"] == "/run/osc-scope/fanout.sock"
    assert config["limits"] == {"max_items": 500, "max_bytes": 33554432, "timeout": 7.5}
    sockets = {name: fe["socket"] for name, fe in config["frontends"].items()}
    assert sockets == {
        "CloudOne:127.0.0.1:80": "/run/osc-scope/fe0.sock",
        "CloudOne:127.0.0.1:9696": "/run/osc-scope/fe1.sock",
    }
    assert config["frontends"]["CloudOne:127.0.0.1:80"]["prefixes"]["/image"] == "image"
    text = (tmp_path / "haproxy.cfg").read_text()
    assert "bind unix@/run/osc-scope/fe0.sock name osc-scope-internal" in text
    assert "server fanout unix@/run/osc-scope/fanout.sock check" in text
    assert "timeout server 12500ms" in text  # the fan-out's own wait, and a margin


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"fanout_run_dir": "relative/dir"}, "must be an absolute path"),
        ({"fanout_run_dir": "/" + "x" * 120}, "longer than 107 bytes"),
        ({"fanout_limits": {"max_items": 0}}, "limits.max_items: expected a positive number"),
        ({"fanout_limits": {"nope": 1}}, "unknown setting(s) nope"),
    ],
)
def test_fan_out_options_are_checked(tmp_path, options, needle):
    with pytest.raises(render.RenderError, match=re.escape(needle)):
        render.render(TABLE, "CloudOne", tmp_path, **options)


def test_a_wan_binds_the_frontends_again_and_reaches_other_clouds_from_its_namespace(tmp_path):
    wan = {"address": "10.213.0.1", "namespace": "osc-scope-abc-CloudOne"}
    render.render(TABLE, "CloudOne", tmp_path, wan=wan)
    config = (tmp_path / "haproxy.cfg").read_text()
    binds = re.findall(r"^\s+bind 10\.213\.0\.1:(\d+) namespace osc-scope-abc-CloudOne$",
                       config, re.M)  # fmt: skip
    assert sorted(binds) == sorted(str(p) for p in (80, 9696))
    remote = re.findall(r"^\s+server .* check inter .*$", config, re.M)
    assert remote and all(line.endswith(" namespace osc-scope-abc-CloudOne") for line in remote)
    local = re.findall(r"^\s+server \S+ 127\.0\.0\.1:.*$", config, re.M)
    assert local and not any("namespace" in line for line in local)


@pytest.mark.parametrize(
    "wan, needle",
    [
        ({"address": "not-an-ip", "namespace": "n"}, "needs an IP address"),
        ({"address": "10.213.0.1"}, "needs an IP address and a namespace"),
        ({"address": "10.213.0.1", "namespace": "a b"}, "bad namespace name"),
    ],
)
def test_a_bad_wan_is_refused(tmp_path, wan, needle):
    with pytest.raises(render.RenderError, match=re.escape(needle)):
        render.render(TABLE, "CloudOne", tmp_path, wan=wan)
