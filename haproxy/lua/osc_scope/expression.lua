-- Cloud expressions (README, "The scope"): A, A|B (failover), A&B (fan-out), parentheses.
--
-- Same grammar, limits and fault positions (0-based offsets in the value) as the Python
-- parser, checked by the shared vectors. Nodes: {kind="cloud", name=...},
-- {kind="failover", items={...}}, {kind="fanout", items={...}}; same-operator groups are
-- flattened so the canonical text is unique.

local M = {}

M.MAX_CLOUD_NAME = 255
M.MAX_DEPTH = 16

local byte, sub, find = string.byte, string.sub, string.find

local function describe(c)
  if c == "" then
    return "end of text"
  elseif byte(c) >= 128 then
    return "a non-ASCII character"
  elseif byte(c) < 32 then
    return "a control character"
  end
  return "'" .. c .. "'"
end

local function flatten(kind, parts)
  if #parts == 1 then
    return parts[1]
  end
  local items = {}
  for _, part in ipairs(parts) do
    if part.kind == kind then
      for _, item in ipairs(part.items) do
        items[#items + 1] = item
      end
    else
      items[#items + 1] = part
    end
  end
  return { kind = kind, items = items }
end

local Parser = {}
Parser.__index = Parser

function Parser:fail(reason, kind, pos)
  pos = pos or self.pos
  error({ kind = kind or "bad_expression", position = pos - 1,
          message = reason .. " at position " .. (pos - 1) }, 0)
end

function Parser:peek()
  local _, stop = find(self.text, "^ *", self.pos)
  self.pos = stop + 1
  return sub(self.text, self.pos, self.pos)
end

function Parser:failover()
  local parts = { self:fanout() }
  while self:peek() == "|" do
    self.pos = self.pos + 1
    parts[#parts + 1] = self:fanout()
  end
  return flatten("failover", parts)
end

function Parser:fanout()
  local parts = { self:primary() }
  while self:peek() == "&" do
    self.pos = self.pos + 1
    parts[#parts + 1] = self:primary()
  end
  return flatten("fanout", parts)
end

function Parser:primary()
  local c = self:peek()
  if c == "(" then
    if self.depth >= M.MAX_DEPTH then
      self:fail("more than " .. M.MAX_DEPTH .. " levels of parentheses", "too_long")
    end
    self.depth = self.depth + 1
    self.pos = self.pos + 1
    local inner = self:failover()
    local close = self:peek()
    if close ~= ")" then
      self:fail("expected ')' or an operator, found " .. describe(close))
    end
    self.pos = self.pos + 1
    self.depth = self.depth - 1
    return inner
  end
  local _, stop = find(self.text, "^[A-Za-z0-9_.-]+", self.pos)
  if not stop then
    self:fail("expected a cloud name or '(', found " .. describe(c))
  end
  if stop - self.pos + 1 > M.MAX_CLOUD_NAME then
    self:fail("cloud name longer than " .. M.MAX_CLOUD_NAME .. " characters", "too_long",
              self.pos + M.MAX_CLOUD_NAME)
  end
  local name = sub(self.text, self.pos, stop)
  self.pos = stop + 1
  return { kind = "cloud", name = name }
end

function Parser:parse()
  local node = self:failover()
  local c = self:peek()
  if c == ")" then
    self:fail("')' without its '('")
  elseif c ~= "" then
    local hint = " (cloud names use letters, digits, '_.-')"
    self:fail("expected '|', '&' or end of text, found " .. describe(c) .. hint)
  end
  return node
end

--- Parse an expression. Returns node or nil, {kind, message, position}.
function M.parse(text)
  local parser = setmetatable({ text = text, pos = 1, depth = 0 }, Parser)
  local ok, result = pcall(parser.parse, parser)
  if ok then
    return result
  end
  if type(result) == "table" then
    return nil, result
  end
  error(result, 0)
end

--- The canonical text: no spaces, no needless parentheses.
function M.to_string(node)
  if node.kind == "cloud" then
    return node.name
  end
  local parts = {}
  for i, item in ipairs(node.items) do
    local text = M.to_string(item)
    if node.kind == "fanout" and item.kind == "failover" then
      text = "(" .. text .. ")"
    end
    parts[i] = text
  end
  return table.concat(parts, node.kind == "failover" and "|" or "&")
end

--- Every cloud named, in order of first appearance.
function M.clouds(node, out, seen)
  out, seen = out or {}, seen or {}
  if node.kind == "cloud" then
    if not seen[node.name] then
      seen[node.name] = true
      out[#out + 1] = node.name
    end
  else
    for _, item in ipairs(node.items) do
      M.clouds(item, out, seen)
    end
  end
  return out
end

return M
