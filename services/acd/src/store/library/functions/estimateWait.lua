--[[
  estimateWait: what the wait estimator needs for a customer who would join a queue now: its length
  and the capacity serving it. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] queue ("t:<team>" or "r:<rep>")

  Output: { 0, queue length, serving capacity, free capacity, handle ms... }
          or { UNKNOWN_TEAM } | { NO_CONFIG }
]]
--- @read-only
--- @uses constants, keys, teamConfig, sessions, reps, handleTimes
local q = ARGV[1]
local team = keys.teamOf(q)
if team and not teamConfig.strategy(team) then return keys.missing(constants.UNKNOWN_TEAM) end
local serving, free = reps.servingCapacity(q)
return handleTimes.appendTo({ 0, sessions.queueLength(q), serving, free }, q)
