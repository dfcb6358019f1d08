--[[
  getTeamAvailability: how many reps of a team are logged in, routable, and have free capacity, and
  how many sessions wait, so intake can say "no rep available" at once. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] team id

  Output: { 0, logged in, routable, with free capacity, waiting } or { UNKNOWN_TEAM }
]]
--- @include "includes/common"
--- @include "includes/rep"

local team = ARGV[1]
local strategy = rcall("HGET", P .. "team:" .. team, "strat")
if not strategy then
  if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
  return { UNKNOWN_TEAM }
end
local free
if strategy == "mn" then
  -- Manual teams keep no push index; count the routable reps with room instead.
  free = 0
  for _, rep in ipairs(rcall("SMEMBERS", P .. "tr:" .. team)) do
    if hasFreeCapacity(readRep(rep)) then free = free + 1 end
  end
else
  free = rcall("ZCARD", P .. "ix:" .. team)
end
return { 0, rcall("SCARD", P .. "tm:" .. team), rcall("SCARD", P .. "tr:" .. team), free,
  rcall("ZCARD", P .. "q:t:" .. team) }
