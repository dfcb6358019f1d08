--[[
  logout: the rep leaves every team and every connection; he is offline.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] actor (Actor name)   ARGV[3] actor id

  Output: snapshot (see login) or { UNKNOWN_REP }
  Events: RepLoggedOut, RepStateChanged.
]]
--- @uses constants, keys, presenceReps, events
local rcall = redis.call
local now = tenant.nowMs()
local r = presenceReps.read(ARGV[1])
if not r.known then return { constants.UNKNOWN_REP } end
for _, conn in ipairs(rcall("HKEYS", keys.conns(r.id))) do
  rcall("ZREM", keys.heartbeats(), keys.heartbeatMember(r.id, conn))
end
rcall("DEL", keys.conns(r.id))
for _, team in ipairs(tenant.split(r.teams)) do rcall("SREM", keys.team(team), r.id) end
rcall("HSET", keys.rep(r.id), "in", "0", "teams", "")
r.teams, r.loggedIn = "", false
events.append("RepLoggedOut", r.id, now, { actor = ARGV[2] })
presenceReps.changeState(r, constants.STATE.offline, "logged-out", ARGV[2], ARGV[3], now)
presenceReps.bump(r, now)
return presenceReps.snapshot(r)
