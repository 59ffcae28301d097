-- A strict, small JSON reader for the scope: one top-level value, no duplicate-key merging.
--
-- Why not lua-cjson: it silently keeps the last of two equal keys, and a scope that names a
-- service twice must be refused. Objects come back as ordered lists of {key, value} pairs so
-- the caller sees every key, in order. Pure Lua 5.3, no HAProxy API.

local M = {}

local MAX_DEPTH = 64

local byte, sub, find = string.byte, string.sub, string.find

local ESCAPES = {
  [34] = '"', [92] = "\\", [47] = "/", [98] = "\b", [102] = "\f", [110] = "\n", [114] = "\r",
  [116] = "\t",
}

local function fail(reason, pos)
  error({ kind = "syntax", message = reason .. " at position " .. (pos - 1), position = pos - 1 }, 0)
end

local function skip_space(text, pos)
  local _, stop = find(text, "^[ \t\r\n]*", pos)
  return stop + 1
end

local function describe(text, pos)
  local c = sub(text, pos, pos)
  if c == "" then
    return "end of text"
  end
  return string.format("%q", c)
end

local function read_string(text, pos)
  -- pos is at the opening quote
  local parts, n = {}, 0
  pos = pos + 1
  while true do
    local start = pos
    local stop = find(text, '[%z\1-\31"\\]', pos)
    if not stop then
      fail("unterminated string", #text + 1)
    end
    if stop > start then
      n = n + 1
      parts[n] = sub(text, start, stop - 1)
    end
    local c = byte(text, stop)
    if c == 34 then
      return table.concat(parts), stop + 1
    elseif c == 92 then
      local e = byte(text, stop + 1)
      if e == 117 then
        local hex = sub(text, stop + 2, stop + 5)
        if not find(hex, "^%x%x%x%x$") then
          fail("bad \\u escape", stop)
        end
        local code = tonumber(hex, 16)
        pos = stop + 6
        if code >= 0xD800 and code <= 0xDBFF then
          local low = sub(text, pos, pos + 5)
          if find(low, "^\\u[dD][c-fC-F]%x%x$") then
            code = 0x10000 + (code - 0xD800) * 0x400 + (tonumber(sub(low, 3), 16) - 0xDC00)
            pos = pos + 6
          else
            fail("lone surrogate in \\u escape", stop)
          end
        elseif code >= 0xDC00 and code <= 0xDFFF then
          fail("lone surrogate in \\u escape", stop)
        end
        n = n + 1
        parts[n] = utf8.char(code)
      elseif e and ESCAPES[e] then
        n = n + 1
        parts[n] = ESCAPES[e]
        pos = stop + 2
      else
        fail("bad escape in string", stop)
      end
    else
      fail("control character in string", stop)
    end
  end
end

local read_value

local function read_object(text, pos, depth)
  local pairs_, n = {}, 0
  pos = skip_space(text, pos + 1)
  if byte(text, pos) == 125 then
    return { type = "object", pairs = pairs_ }, pos + 1
  end
  while true do
    if byte(text, pos) ~= 34 then
      fail("expected a string key, found " .. describe(text, pos), pos)
    end
    local key
    key, pos = read_string(text, pos)
    pos = skip_space(text, pos)
    if byte(text, pos) ~= 58 then
      fail("expected ':', found " .. describe(text, pos), pos)
    end
    local value
    value, pos = read_value(text, skip_space(text, pos + 1), depth + 1)
    n = n + 1
    pairs_[n] = { key, value }
    pos = skip_space(text, pos)
    local c = byte(text, pos)
    if c == 125 then
      return { type = "object", pairs = pairs_ }, pos + 1
    elseif c ~= 44 then
      fail("expected ',' or '}', found " .. describe(text, pos), pos)
    end
    pos = skip_space(text, pos + 1)
  end
end

local function read_array(text, pos, depth)
  pos = skip_space(text, pos + 1)
  if byte(text, pos) == 93 then
    return { type = "array" }, pos + 1
  end
  while true do
    local _
    _, pos = read_value(text, pos, depth + 1)
    pos = skip_space(text, pos)
    local c = byte(text, pos)
    if c == 93 then
      return { type = "array" }, pos + 1
    elseif c ~= 44 then
      fail("expected ',' or ']', found " .. describe(text, pos), pos)
    end
    pos = skip_space(text, pos + 1)
  end
end

local LITERALS = { t = "true", f = "false", n = "null" }

read_value = function(text, pos, depth)
  if depth > MAX_DEPTH then
    fail("nested too deeply", pos)
  end
  local c = sub(text, pos, pos)
  if c == '"' then
    return read_string(text, pos)
  elseif c == "{" then
    return read_object(text, pos, depth)
  elseif c == "[" then
    return read_array(text, pos, depth)
  elseif LITERALS[c] then
    local word = LITERALS[c]
    if sub(text, pos, pos + #word - 1) ~= word then
      fail("unexpected " .. describe(text, pos), pos)
    end
    if word == "null" then
      return { type = "null" }, pos + 4
    end
    return { type = "boolean" }, pos + #word
  end
  local _, stop = find(text, "^-?[0-9]+", pos)
  if stop then
    if not find(text, "^-?0[0-9]", pos) then
      local _, frac = find(text, "^%.[0-9]+", stop + 1)
      stop = frac or stop
      local _, exp = find(text, "^[eE][+-]?[0-9]+", stop + 1)
      stop = exp or stop
      return { type = "number" }, stop + 1
    end
  end
  fail("unexpected " .. describe(text, pos), pos)
end

--- Decode one JSON document. Returns value or nil, {kind="syntax", message, position}.
-- Strings are Lua strings; objects are {type="object", pairs={{key, value}, ...}};
-- other values are {type="array"|"number"|"boolean"|"null"}.
function M.decode(text)
  if type(text) ~= "string" then
    return nil, { kind = "syntax", message = "not text", position = 0 }
  end
  local bad = select(2, utf8.len(text))
  if bad then
    return nil, { kind = "syntax", message = "not UTF-8 text at position " .. (bad - 1),
                  position = bad - 1 }
  end
  local ok, value, pos = pcall(function()
    local pos0 = skip_space(text, 1)
    if pos0 > #text then
      fail("empty document", pos0)
    end
    local v, p = read_value(text, pos0, 1)
    p = skip_space(text, p)
    if p <= #text then
      fail("extra data after the value", p)
    end
    return v, p
  end)
  if ok then
    return value
  end
  if type(value) == "table" then
    return nil, value
  end
  error(value, 0) -- a bug, not bad input: let the caller's guard report it
end

--- The JSON type of a decoded value, for messages.
function M.type_name(value)
  if type(value) == "string" then
    return "a string"
  end
  local names = { object = "an object", array = "an array", number = "a number",
                  boolean = "a boolean", null = "null" }
  return names[value.type]
end

return M
