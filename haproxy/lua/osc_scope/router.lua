-- The routing decision for one request, from plain values: no HAProxy API in here.
--
-- decide(routing, request, is_up) -> decision. ``routing`` is the table rendered for this
-- cloud (routing.lua, see osc_scope/routing/render.py), prepared once by ``prepare``;
-- ``request`` holds the frontend name, the method, the path, the raw header values (nil
-- when absent) and ``internal`` (it came in on a frontend's internal listener); ``is_up(backend)`` says whether a backend has a server up. A decision is
-- either {backend, cloud, service, headers} or {status, message}; ``headers`` are the
-- request headers to replace (when the first router completes a scope, or a failover falls
-- to a fan-out option and the scope must name that option alone).

local lookup = require("osc_scope.lookup")
local scope_mod = require("osc_scope.scope")
local expression = require("osc_scope.expression")

local M = {}

M.SEPARATOR = "!SCOPE!"

local find, sub = string.find, string.sub

--- Prepare the rendered table once, at load time.
-- ``lookups`` answers the questions whose data grows with the number of clouds:
-- route(cloud, service) -> backend name or nil, is_known(cloud) -> bool, and
-- alias(name) -> official service type or nil. In HAProxy they are HAProxy maps (the same
-- files as the native path reads), not Lua tables: measured on HAProxy 2.6, each Lua call
-- costs more as the Lua heap grows (garbage collection), so the heap must not grow with
-- the number of clouds.
function M.prepare(routing, lookups)
  routing.index = lookup.build(routing.frontends)
  routing.route = lookups.route
  routing.is_known = lookups.is_known
  routing.alias = lookups.alias
  return routing
end

--- Lookups from plain Lua tables (tests, tools): routes {"cloud/service" = backend} (the
-- key of maps/routes.map), clouds {name, ...}, aliases {name = official}.
function M.table_lookups(routes, clouds, aliases)
  local known = {}
  for _, name in ipairs(clouds) do
    known[name] = true
  end
  return {
    route = function(cloud, service) return routes[cloud .. "/" .. service] end,
    is_known = function(cloud) return known[cloud] == true end,
    alias = function(name) return aliases[name] end,
  }
end

-- Messages go into JSON bodies and logs: printable ASCII only, one line.
local function refuse(status, message, service)
  return { status = status, message = (message:gsub("[%c\128-\255]", "?")), service = service }
end

--- Split "token!SCOPE!scope" at the first separator: bare token, scope text or nil.
function M.split_token(value)
  local at = find(value, M.SEPARATOR, 1, true)
  if not at then
    return value, nil
  end
  return sub(value, 1, at - 1), sub(value, at + #M.SEPARATOR)
end

local function parse_hops(value, limit)
  if value == nil then
    return 0
  end
  if #value > 6 or not find(value, "^[0-9]+$") then
    return nil, refuse(400, "X-Scope-Hops must be a small non-negative integer")
  end
  local hops = tonumber(value)
  if hops > limit then
    return nil, refuse(508, "the request went through " .. hops .. " scope routers, more than "
                       .. "the " .. limit .. " clouds known: a routing loop")
  end
  return hops
end

-- A fan-out is served by the cloud's fan-out service (osc-scope fanout serve), behind this
-- backend: it asks each branch through this router again, one sub-request per branch.
M.FANOUT_BACKEND = "osc-scope:fanout"
local FANOUT_METHODS = { GET = true, HEAD = true }

-- Whether an expression can be served now: a cloud whose backend is up, a failover with an
-- option that can, a fan-out with the fan-out service up and a branch that can.
local function can_serve(routing, service, node, is_up)
  if node.kind == "cloud" then
    return is_up(routing.route(node.name, service))
  end
  if node.kind == "fanout" and not is_up(M.FANOUT_BACKEND) then
    return false
  end
  for _, item in ipairs(node.items) do
    if can_serve(routing, service, item, is_up) then
      return true
    end
  end
  return false
end

local function fan_out(routing, service, node, method, is_up)
  local text = expression.to_string(node)
  if not FANOUT_METHODS[method] then
    return refuse(501, "fan-out ('&') serves only GET and HEAD, not " .. method .. " (" .. service
                  .. ": " .. text .. ")", service)
  end
  if not is_up(M.FANOUT_BACKEND) then
    return refuse(503, "the fan-out service of cloud " .. routing.local_cloud .. " is down ("
                  .. service .. ": " .. text .. ")", service)
  end
  return { cloud = text, backend = M.FANOUT_BACKEND }
end

-- On a later hop of a failover of clouds, this cloud when it is one of them and up: the
-- router before chose it, or failed over to it. Two routers that disagree on the health of
-- a cloud then cannot send a request back and forth (osc_scope/routing/failover.py).
local function local_alternative(routing, service, node, is_up)
  local found = nil
  for _, option in ipairs(node.items) do
    if option.kind ~= "cloud" then
      return nil
    end
    if option.name == routing.local_cloud then
      found = option.name
    end
  end
  local backend = found and routing.route(found, service)
  if backend and is_up(backend) then
    return { cloud = found, backend = backend }
  end
  return nil
end

-- The backend for one cloud expression, or a refusal. A failover that falls to a fan-out
-- option says so in ``narrowed``: the scope must then bind the service to that option.
local function choose(routing, service, node, method, is_up, from_router)
  for _, cloud in ipairs(expression.clouds(node)) do
    if not routing.is_known(cloud) then
      return refuse(400, "unknown cloud '" .. cloud .. "' in the scope of " .. service
                    .. "; known clouds: " .. routing.known_text, service)
    end
    if not routing.route(cloud, service) then
      return refuse(400, "cloud '" .. cloud .. "' has no " .. service .. " service", service)
    end
  end
  if node.kind == "fanout" then
    return fan_out(routing, service, node, method, is_up)
  end
  if node.kind == "cloud" then
    -- one cloud: HAProxy itself answers 503 if it is down (same reply as the native path)
    return { cloud = node.name, backend = routing.route(node.name, service) }
  end
  local here = from_router and local_alternative(routing, service, node, is_up)
  if here then
    return here
  end
  local tried = {}
  for _, option in ipairs(node.items) do
    if option.kind == "fanout" then
      if not FANOUT_METHODS[method] or can_serve(routing, service, option, is_up) then
        local decision = fan_out(routing, service, option, method, is_up)
        decision.narrowed = option
        return decision
      end
      tried[#tried + 1] = "(" .. expression.to_string(option) .. ")"
    else
      local backend = routing.route(option.name, service)
      if is_up(backend) then
        return { cloud = option.name, backend = backend }
      end
      tried[#tried + 1] = option.name
    end
  end
  return refuse(503, "no cloud of " .. table.concat(tried, "|") .. " is up for " .. service,
                service)
end

--- Decide where one request goes.
function M.decide(routing, request, is_up)
  local hops, bad_hops = parse_hops(request.hops, routing.cloud_count)
  if not hops then
    return bad_hops
  end
  local path = request.path or ""
  local service = lookup.find(routing.index, request.frontend, path)
  if not service then
    if #path > 200 then
      path = sub(path, 1, 197) .. "..."
    end
    return refuse(404, "no service of cloud " .. routing.local_cloud .. " at path " .. path)
  end
  local token, text = nil, nil
  if request.token then
    token, text = M.split_token(request.token)
  end
  if text == nil then
    text = request.scope
  end
  local decision
  if text == nil then
    decision = { cloud = routing.local_cloud,
                 backend = routing.route(routing.local_cloud, service) }
  else
    local scope, fault = scope_mod.decode(text, routing.alias)
    if not scope then
      return refuse(400, "malformed scope: " .. fault.message, service)
    end
    local node = scope.bindings[service] or { kind = "cloud", name = routing.local_cloud }
    -- a later hop, unless it is a fan-out's sub-request (its own listener): those come
    -- from this router's fan-out service, and a branch's failover keeps its order
    local from_router = hops > 0 and not request.internal
    decision = choose(routing, service, node, request.method or "GET", is_up, from_router)
    if decision.status then
      return decision
    end
    local narrowed = decision.narrowed
    if narrowed then
      -- the fan-out service reads the branches from the scope: bind the service to them
      scope.bindings[service] = narrowed
      decision.narrowed = nil
    end
    if hops == 0 or narrowed then
      -- first router: forward the scope complete and canonical, so every hop reads the same
      local wire = scope_mod.to_wire(scope_mod.complete(scope, routing.local_cloud,
                                                        routing.local_types))
      if wire ~= text then
        decision.headers = { ["x-scope"] = wire }
        if token then
          decision.headers["x-auth-token"] = token .. M.SEPARATOR .. wire
        end
      end
    end
  end
  decision.service = service
  return decision
end

return M
