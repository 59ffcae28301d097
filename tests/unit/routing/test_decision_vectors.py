"""The shared routing decisions (tests/vectors/decision.json) through ``osc-scope explain``:
its decision module, and the command a user runs, answer as the router does."""

import importlib.util
import json
import pathlib

import pytest

from osc_scope.cmd import main
from osc_scope.routing import decision, explain
from osc_scope.routing import plan as plan_mod

HELPER = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "decision_cases.py"
_spec = importlib.util.spec_from_file_location("decision_cases", HELPER)
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
PLAN = plan_mod.build(cases.TABLE, cases.CLOUD)


def answer_of(result):
    if result.forwarded:
        return {"status": 200, "backend": result.backend, "headers": result.headers}
    return {"status": result.status, "message": result.message}


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_decision_module(case):
    is_up = explain.health(PLAN, case["down"])
    request = decision.request(PLAN, case["url"], case["headers"], case.get("method", "GET"))
    result = decision.decide(PLAN, request, is_up)
    cases.check(case, answer_of(result))


def cli_arguments(case):
    """The explain command for a case: the scope the router reads (the token's, else
    X-Scope), the hops, what is down and the URL."""
    headers = cases.headers_of(case)
    token = headers.get("x-auth-token", "")
    scope = token.partition("!SCOPE!")[2] if "!SCOPE!" in token else headers.get("x-scope")
    args = ["--path", case["url"], "--method", case.get("method", "GET")]
    for backend in case["down"]:
        args += ["--down", backend]
    if "x-scope-hops" in headers:
        args += ["--hops", headers["x-scope-hops"]]
    return args + ([scope] if scope is not None else [])


@pytest.fixture(scope="module")
def table_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "table.json"
    path.write_text(json.dumps(cases.TABLE))
    return str(path)


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_explain_command(case, table_file, capsys):
    code = main.main(
        ["explain", "--table", table_file, "--cloud", cases.CLOUD, *cli_arguments(case)]
    )
    # a fan-out's branch lines are explain's plan, not the router's answer
    lines = [line for line in capsys.readouterr().out.splitlines() if "  branch " not in line]
    expect = case["expect"]
    answer = lines[0].split("  -> ", 1)[1]
    if expect["status"] == 200:
        assert code == 0
        assert answer.split(" ")[0] == expect["backend"]
        scope = expect.get("headers", {}).get("X-Scope")
        assert lines[1:] == ([f"X-Scope forwarded: {scope}"] if scope else [])
    else:
        assert code == 1
        status, message = answer.split(": ", 1)
        assert int(status) == expect["status"]
        assert message == expect.get("message") or message.startswith(expect["message_prefix"])
