"""The shared routing decisions (tests/vectors/decision.json) through the Lua router.

Lua names a backend; when that backend has no server up, HAProxy answers 503 itself (its
http-error page), so that step is applied here with the same words the renderer gives it.
"""

import importlib.util
import pathlib

import pytest

from osc_scope.routing import answers, decision
from osc_scope.routing.fanout_plan import FANOUT_BACKEND

HELPER = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "decision_cases.py"
_spec = importlib.util.spec_from_file_location("decision_cases", HELPER)
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


def lua_answer(plan, result, down):
    if "status" in result:
        return {"status": result["status"], "message": result["message"]}
    backend = result["backend"]
    if backend in down:
        message = answers.UNAVAILABLE.format(
            cloud=result["cloud"], service=result["service"], backend=backend
        )
        return {"status": 503, "message": message}
    if backend != FANOUT_BACKEND:
        assert backend == plan.route(result["cloud"], result["service"])
    return {"status": 200, "backend": backend, "headers": result.get("headers", {})}


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_lua_router_gives_the_shared_decision(vector_router, vector_plan, case):
    request = decision.request(vector_plan, case["url"], case["headers"])
    down = set(case["down"])
    up = {backend.name for backend in vector_plan.backends} | {FANOUT_BACKEND}
    up -= down
    result = vector_router(
        {
            "frontend": request.frontend,
            "method": case.get("method", "GET"),
            "path": request.path,
            "token": request.token,
            "scope": request.scope,
            "hops": request.hops,
        },
        up,
    )
    cases.check(case, lua_answer(vector_plan, result, down))
