-- The scope: a JSON object {service type: cloud expression}, decoded, completed, re-encoded.
--
-- Service names are normalised with an alias table made at render time from the
-- os-service-types registry (the same one the CLI uses), so "glance", "Image" and "image"
-- all mean "image". Faults carry the same kinds as the Python ScopeError classes.

local json = require("osc_scope.json")
local expression = require("osc_scope.expression")

local M = {}

M.MAX_SCOPE_BYTES = 4096

local function fault(kind, message, extra)
  local err = { kind = kind, message = message }
  for k, v in pairs(extra or {}) do
    err[k] = v
  end
  return err
end

local function quote(text)
  -- For messages only: keep them one short printable line.
  if #text > 64 then
    text = text:sub(1, 61) .. "..."
  end
  return "'" .. text:gsub("[%c\128-\255']", "?") .. "'"
end

--- The official service type for a name as users write it, or nil. ``aliases`` is a
-- table {name = official} or a function name -> official.
function M.normalize(name, aliases)
  local key = name:lower():gsub("_", "-")
  if type(aliases) == "function" then
    return aliases(key)
  end
  return aliases[key]
end

--- Decode scope text. Returns {bindings = {type = node}} or nil, fault.
function M.decode(text, aliases)
  if #text > M.MAX_SCOPE_BYTES then
    return nil, fault("too_long", "scope is " .. #text .. " bytes, more than the limit of "
                      .. M.MAX_SCOPE_BYTES)
  end
  local document, err = json.decode(text)
  if not document then
    return nil, fault("syntax", "not valid JSON: " .. err.message, { position = err.position })
  end
  if type(document) == "string" or document.type ~= "object" then
    return nil, fault("not_object", 'must be a JSON object of service types and clouds, like '
                      .. '{"image": "CloudTwo"}; got ' .. json.type_name(document))
  end
  local bindings, given = {}, {}
  for _, pair in ipairs(document.pairs) do
    local key, value = pair[1], pair[2]
    local official = M.normalize(key, aliases)
    if not official then
      return nil, fault("unknown_service", "unknown service type " .. quote(key),
                        { service = key })
    end
    if type(value) ~= "string" then
      return nil, fault("bad_value", "the value of " .. quote(key) .. " (" .. official
                        .. ") must be a cloud expression string, got " .. json.type_name(value),
                        { service = official })
    end
    if bindings[official] then
      return nil, fault("duplicate_service", "service '" .. official .. "' is given twice ("
                        .. quote(given[official]) .. " and " .. quote(key) .. ")",
                        { service = official })
    end
    local node, bad = expression.parse(value)
    if not node then
      return nil, fault(bad.kind, "cloud expression " .. quote(value) .. " of " .. quote(key)
                        .. ": " .. bad.message, { service = official, position = bad.position })
    end
    bindings[official] = node
    given[official] = key
  end
  return { bindings = bindings }
end

--- A new scope where every type of ``service_types`` not named is bound to ``local_cloud``.
function M.complete(scope, local_cloud, service_types)
  local bindings = {}
  for service, node in pairs(scope.bindings) do
    bindings[service] = node
  end
  for _, service in ipairs(service_types) do
    if not bindings[service] then
      bindings[service] = { kind = "cloud", name = local_cloud }
    end
  end
  return { bindings = bindings }
end

--- Canonical compact JSON: sorted keys, canonical expressions (nothing to escape in either).
function M.to_wire(scope)
  local keys = {}
  for service in pairs(scope.bindings) do
    keys[#keys + 1] = service
  end
  table.sort(keys)
  for i, service in ipairs(keys) do
    keys[i] = '"' .. service .. '":"' .. expression.to_string(scope.bindings[service]) .. '"'
  end
  return "{" .. table.concat(keys, ",") .. "}"
end

return M
