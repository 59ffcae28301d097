"""Lua runtime fixtures: the router's pure modules in Lua 5.3, as in Debian's HAProxy 2.6."""

import json
import pathlib

import pytest
from lupa.lua53 import LuaRuntime

from osc_scope.routing import plan as plan_mod
from osc_scope.routing import router_data

ROOT = pathlib.Path(__file__).resolve().parents[3]
LUA_DIR = ROOT / "haproxy" / "lua"
VECTORS = json.loads((ROOT / "tests" / "vectors" / "scope.json").read_text())
TABLE = json.loads((ROOT / "tests" / "vectors" / "routing_table.json").read_text())


def new_runtime():
    lua = LuaRuntime(unpack_returned_tuples=True)
    lua.execute(f'package.path = "{LUA_DIR}/?.lua;" .. package.path')
    return lua


@pytest.fixture(scope="session")
def lua():
    return new_runtime()


@pytest.fixture(scope="session")
def plan():
    return plan_mod.build(TABLE, "CloudOne")


def lua_router(lua, plan):
    """decide(request dict, up backends set or None for all) -> the Lua decision as a dict,
    on ``plan``'s rendered routing table and the plan's routes, clouds and aliases."""
    routing = lua.execute(router_data.routing_lua(plan))
    mod = lua.require("osc_scope.router")
    lookups = mod.table_lookups(
        lua.table_from(plan.routes), lua.table_from(plan.clouds), lua.table_from(plan.aliases)
    )
    mod.prepare(routing, lookups)
    to_py = lua.eval(
        """function(d)
             local out = {}
             for k, v in pairs(d) do
               if type(v) == 'table' then
                 local h = {}
                 for hk, hv in pairs(v) do h[hk] = hv end
                 out[k] = h
               else out[k] = v end
             end
             return out
           end"""
    )

    def decide(request, up=None):
        req = lua.table_from({k: v for k, v in request.items() if v is not None})
        up_set = None if up is None else set(up)

        def is_up(backend):
            return up_set is None or backend in up_set

        result = to_py(mod.decide(routing, req, is_up))
        return {k: (dict(v) if hasattr(v, "items") else v) for k, v in dict(result).items()}

    return decide


@pytest.fixture(scope="session")
def router(lua, plan):
    """decide(request dict, up backends set) -> Python dict, on the example table."""
    return lua_router(lua, plan)


@pytest.fixture(scope="session")
def vector_plan():
    """The plan of the shared decision vectors (tests/vectors/decision.json)."""
    data = json.loads((ROOT / "tests" / "vectors" / "decision.json").read_text())
    return plan_mod.build(data["table"], data["cloud"])


@pytest.fixture(scope="session")
def vector_router(lua, vector_plan):
    return lua_router(lua, vector_plan)
