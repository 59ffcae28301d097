-- HAProxy glue: registers the ``interpret_scope`` action (lua-load this file).
--
-- The action reads the request, calls the pure router, and leaves its decision in txn
-- variables; haproxy.cfg turns them into use_backend, a refusal into the backend
-- osc-scope:error-<status> that answers its JSON error. It only runs when the
-- config's native fast path could not decide. Nothing here logs a header value.
--
-- Settings come from the environment (``setenv`` in haproxy.cfg, before lua-load; both
-- written by osc_scope/routing/render.py from router_data.py): OSC_SCOPE_ROUTING is the
-- routing.lua file rendered for this cloud, OSC_SCOPE_MAPS the directory of its maps
-- (routes keyed cloud/service, clouds, service aliases: HAProxy maps, the same files the
-- native fast path reads).

local router = require("osc_scope.router")

local routing_file = os.getenv("OSC_SCOPE_ROUTING") or "routing.lua"
local maps_dir = os.getenv("OSC_SCOPE_MAPS") or "maps"
-- a backend's health without its failover backup (osc_scope/routing/failover.py)
local health_suffix = os.getenv("OSC_SCOPE_HEALTH_SUFFIX") or ":up"
-- the bind name of the frontends' listeners for the fan-out service's sub-requests
local internal_listener = os.getenv("OSC_SCOPE_INTERNAL_LISTENER") or "osc-scope-internal"
-- Read at load time: paths are relative to haproxy.cfg (default-path config).
local routes = Map.new(maps_dir .. "/routes.map", Map._str)
local clouds = Map.new(maps_dir .. "/clouds.map", Map._str)
local aliases = Map.new(maps_dir .. "/aliases.map", Map._str)
local routing = router.prepare(dofile(routing_file), {
  route = function(cloud, service) return routes:lookup(cloud .. "/" .. service) end,
  is_known = function(cloud) return clouds:lookup(cloud) ~= nil end,
  alias = function(name) return aliases:lookup(name) end,
})

-- Completed scope headers are applied by haproxy.cfg (native set-header is cheaper).
local HEADER_VARS = { ["x-scope"] = "txn.osc_set_scope", ["x-auth-token"] = "txn.osc_set_token" }

-- A runtime error message may quote anything; keep only a short, token-free line.
local function scrub(message)
  message = tostring(message):gsub("%c", " "):gsub("!SCOPE!.*", "<...>")
  message = message:gsub(("[%w_%-=+/]"):rep(20) .. "[%w_%-=+/]*", "<...>")
  return message:sub(1, 200)
end

local function interpret(txn)
  local f = txn.f
  local function is_up(backend)
    if backend == nil then
      return false
    end
    -- a worker stopping after a reload counts no server in any backend: the first
    -- alternative is taken (a failed connection still fails over)
    local stopping = f:stopping() -- a boolean sample reaches Lua as an integer
    return stopping == 1 or stopping == true or (f:nbsrv(backend .. health_suffix) or 0) > 0
  end
  local decision = router.decide(routing, {
    frontend = f:fe_name(),
    method = f:method(),
    path = f:path(),
    token = f:req_fhdr("x-auth-token"),
    scope = f:req_fhdr("x-scope"),
    hops = f:req_fhdr("x-scope-hops"),
    internal = f:so_name() == internal_listener,
  }, is_up)
  txn:set_var("txn.osc_service", decision.service or "-")
  txn:set_var("txn.osc_cloud", decision.cloud or "-")
  if decision.status then
    txn:set_var("txn.osc_message", decision.message)
    txn:set_var("txn.osc_backend", "osc-scope:error-" .. decision.status)
    return
  end
  for name, value in pairs(decision.headers or {}) do
    txn:set_var(HEADER_VARS[name], value)
  end
  txn:set_var("txn.osc_backend", decision.backend)
end

-- HAProxy fills core.proxies, core.frontends and core.backends with Lua tables for every
-- proxy and server: ~7 MB of Lua heap at 1,000 clouds, that every garbage collection cycle
-- walks again (measured: +25% CPU per request on the Lua path). The router never reads
-- them (nbsrv is a sample fetch), so they go once HAProxy is up, and the heap stays small.
core.register_init(function()
  core.proxies, core.frontends, core.backends = nil, nil, nil
  collectgarbage()
end)

core.register_action("interpret_scope", { "http-req" }, function(txn)
  txn:set_var("txn.osc_via", "lua")
  local ok, err = pcall(interpret, txn)
  if not ok then
    txn:set_var("txn.osc_message", "internal error in the scope router")
    txn:set_var("txn.osc_backend", "osc-scope:error-500")
    core.Alert("osc-scope: interpret_scope failed: " .. scrub(err))
  end
end, 0)
