--[[
  estimateWait: what the wait estimator needs for a customer who would join a queue now: its length
  and the capacity serving it. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] queue ("t:<team>" or "r:<rep>")

  Output: { 0, queue length, serving capacity, free capacity, handle ms... }
          or { UNKNOWN_TEAM } | { NO_CONFIG }
]]
--- @include "includes/common"
--- @include "includes/session"
--- @include "includes/rep"

local q = ARGV[1]
local serving, free = 0, 0
local team = teamOf(q)
if team then
  if not rcall("HGET", P .. "team:" .. team, "strat") then
    if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
    return { UNKNOWN_TEAM }
  end
  serving = tonumber(rcall("HGET", P .. "tcap", team) or "0")
  free = rcall("ZCARD", P .. "ix:" .. team)
else
  local r = readRep(string.sub(q, 3))
  if routable(r) then serving = r.cap end
  if hasFreeCapacity(r) then free = r.cap - r.load end
end
local out = { 0, rcall("ZCARD", queueKey(q)), serving, free }
for _, handle in ipairs(rcall("LRANGE", P .. "ht:" .. q, 0, -1)) do out[#out + 1] = tonumber(handle) end
return out
