--[[
  login: a rep logs in to teams (already checked against the routing config) from a connection. A
  rep who was offline becomes available.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] team ids (comma list)   ARGV[3] connection id ("" for none)
  ARGV[4] heartbeat deadline in ms from now
  ARGV[5] most live connections a rep may hold (a new one beyond it is refused, and so is the login)

  Output: snapshot { 0, state, reason, teams, capacity, skills, version, live connections, since, actor }
          or { TOO_MANY_CONNECTIONS, live connections }
  Events: RepLoggedIn, RepStateChanged.
]]
--- @uses constants, keys, presenceReps, events
local rcall = redis.call
local ST = constants.STATE
local now = tenant.nowMs()
local r = presenceReps.read(ARGV[1])
if ARGV[3] ~= "" and presenceReps.liveConnections(r) >= tonumber(ARGV[5])
    and rcall("HEXISTS", keys.conns(r.id), ARGV[3]) == 0 then
  return { constants.TOO_MANY_CONNECTIONS, presenceReps.liveConnections(r) }
end
local teams = ARGV[2]
local wanted = {}
for _, team in ipairs(tenant.split(teams)) do wanted[team] = true end
for _, team in ipairs(tenant.split(r.teams)) do
  if not wanted[team] then rcall("SREM", keys.team(team), r.id) end
end
for team in pairs(wanted) do rcall("SADD", keys.team(team), r.id) end
rcall("HSET", keys.rep(r.id), "in", "1", "teams", teams)
if not r.known then rcall("HSET", keys.rep(r.id), "cap", r.cap) end
r.teams, r.loggedIn = teams, true
if ARGV[3] ~= "" then presenceReps.keepConnection(r, ARGV[3], now + tonumber(ARGV[4])) end
events.append("RepLoggedIn", r.id, now, { teamIds = tenant.split(teams) })
if r.st == ST.offline then presenceReps.changeState(r, ST.available, "", constants.ACTOR_REP, r.id, now) end
presenceReps.bump(r, now)
rcall("SADD", keys.reps(), r.id)
return presenceReps.snapshot(r)
