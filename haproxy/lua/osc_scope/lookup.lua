-- Which local service a request is for: its frontend plus the longest path prefix.
--
-- Prefixes are whole path segments ("/image" serves "/image/v2" but not "/images"); the
-- root prefix "" is a service alone on its own port. The index is built once at load time;
-- a request costs at most (deepest prefix + 1) table lookups, whatever the number of
-- clouds or services.

local M = {}

local find, sub = string.find, string.sub

--- Normalise an endpoint URL path into a prefix: no trailing slash, "" for the root.
function M.prefix_of(path)
  path = path:gsub("/+$", "")
  return path
end

local function segments(prefix)
  local _, count = prefix:gsub("/", "")
  return count
end

--- Build the index from {frontend = {prefix = service}}.
function M.build(frontends)
  local index = {}
  for frontend, prefixes in pairs(frontends) do
    local entry = { services = {}, depth = 0 }
    for prefix, service in pairs(prefixes) do
      prefix = M.prefix_of(prefix)
      entry.services[prefix] = service
      if segments(prefix) > entry.depth then
        entry.depth = segments(prefix)
      end
    end
    index[frontend] = entry
  end
  return index
end

--- The service at ``path`` on ``frontend``, and the prefix that matched; nil if none.
function M.find(index, frontend, path)
  local entry = index[frontend]
  if not entry or type(path) ~= "string" or sub(path, 1, 1) ~= "/" then
    return nil
  end
  -- ends[k] = end of the prefix made of the first k segments
  local ends, k, pos = {}, 0, 2
  while k < entry.depth do
    local slash = find(path, "/", pos, true)
    k = k + 1
    if not slash then
      ends[k] = #path
      break
    end
    ends[k] = slash - 1
    pos = slash + 1
  end
  local services = entry.services
  for i = k, 1, -1 do
    local prefix = sub(path, 1, ends[i])
    local service = services[prefix]
    if service then
      return service, prefix
    end
  end
  local root = services[""]
  if root then
    return root, ""
  end
  return nil
end

return M
