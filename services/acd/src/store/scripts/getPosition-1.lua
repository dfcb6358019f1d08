--[[
  getPosition: a session's state, 1-based position and what the wait estimator needs. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id

  Output: { 0, state, position, queue length, serving capacity, free capacity, epoch, handle ms... }
          or { SESSION_NOT_FOUND } | { NO_CONFIG }
]]
--- @include "includes/common"
--- @include "includes/session"
--- @include "includes/rep"

local s = readSession(ARGV[1])
if not s then return missingSession() end
local position, length, serving, free = 0, 0, 0, 0
if s.st == "w" then
  position = rcall("ZRANK", queueKey(s.q), s.o) + 1
  length = rcall("ZCARD", queueKey(s.q))
end
local team = teamOf(s.q)
if team then
  serving = tonumber(rcall("HGET", P .. "tcap", team) or "0")
  free = rcall("ZCARD", P .. "ix:" .. team)
else
  local r = readRep(string.sub(s.q, 3))
  if routable(r) then serving = r.cap end
  if hasFreeCapacity(r) then free = r.cap - r.load end
end
local out = { 0, s.st, position, length, serving, free, s.e }
for _, handle in ipairs(rcall("LRANGE", P .. "ht:" .. s.q, 0, -1)) do out[#out + 1] = tonumber(handle) end
return out
