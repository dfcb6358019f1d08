--[[
  setCapacity: single-session (1) or multi-session (N ≤ the site's maximum) mode, and skills.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] capacity   ARGV[3] skills (comma list)   ARGV[4] the site's maximum capacity

  Output: snapshot or { CAPACITY_TOO_HIGH }
  Events: RepCapacitySet.
]]
--- @include "includes/common"
--- @include "includes/rep"

local now = nowMs()
local capacity = tonumber(ARGV[2])
if capacity > tonumber(ARGV[4]) then return { CAPACITY_TOO_HIGH } end
local r = readRep(ARGV[1])
if not r.known then
  rcall("HSET", repKey(r.id), "st", "o", "since", now, "in", "0")
  r.known, r.since = true, now
  rcall("SADD", P .. "reps", r.id)
end
rcall("HSET", repKey(r.id), "cap", capacity, "sk", ARGV[3])
r.cap, r.sk = capacity, ARGV[3]
appendEvent("RepCapacitySet", r.id, now, { capacity = capacity, skills = split(ARGV[3]) })
bump(r, now)
return snapshot(r)
