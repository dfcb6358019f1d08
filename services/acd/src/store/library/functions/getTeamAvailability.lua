--[[
  getTeamAvailability: how many reps of a team are logged in, routable, and have free capacity, and
  how many sessions wait, so intake can say "no rep available" at once. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] team id

  Output: { 0, logged in, routable, with free capacity, waiting } or { UNKNOWN_TEAM } | { NO_CONFIG }
]]
--- @read-only
--- @uses constants, keys, teamConfig, sessions, reps
local rcall = redis.call
local team = ARGV[1]
local strategy = teamConfig.strategy(team)
if not strategy then return keys.missing(constants.UNKNOWN_TEAM) end
local free
if strategy == constants.STRATEGY.manual then
  -- Manual teams keep no push index; count the routable reps with room instead.
  free = 0
  for _, rep in ipairs(rcall("SMEMBERS", keys.teamRoutable(team))) do
    if reps.hasFreeCapacity(reps.read(rep)) then free = free + 1 end
  end
else
  free = rcall("ZCARD", keys.teamIndex(team))
end
return { 0, rcall("SCARD", keys.teamMembers(team)), rcall("SCARD", keys.teamRoutable(team)), free,
  sessions.queueLength(keys.teamQueue(team)) }
