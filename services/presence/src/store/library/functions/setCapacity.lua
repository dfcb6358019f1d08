--[[
  setCapacity: single-session (1) or multi-session (N ≤ the site's maximum) mode, and skills.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] capacity   ARGV[3] skills (comma list)   ARGV[4] the site's maximum capacity

  Output: snapshot or { CAPACITY_TOO_HIGH }
  Events: RepCapacitySet.
]]
--- @uses constants, keys, presenceReps, events
local rcall = redis.call
local now = tenant.nowMs()
local capacity = tonumber(ARGV[2])
if capacity > tonumber(ARGV[4]) then return { constants.CAPACITY_TOO_HIGH } end
local r = presenceReps.read(ARGV[1])
if not r.known then
  rcall("HSET", keys.rep(r.id), "st", constants.STATE.offline, "since", now, "in", "0")
  r.known, r.since = true, now
  rcall("SADD", keys.reps(), r.id)
end
rcall("HSET", keys.rep(r.id), "cap", capacity, "sk", ARGV[3])
r.cap, r.sk = capacity, ARGV[3]
events.append("RepCapacitySet", r.id, now, { capacity = capacity, skills = tenant.split(ARGV[3]) })
presenceReps.bump(r, now)
return presenceReps.snapshot(r)
