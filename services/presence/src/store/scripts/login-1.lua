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
--- @include "includes/common"
--- @include "includes/rep"

local now = nowMs()
local r = readRep(ARGV[1])
if ARGV[3] ~= "" and rcall("HLEN", connsKey(r.id)) >= tonumber(ARGV[5])
    and rcall("HEXISTS", connsKey(r.id), ARGV[3]) == 0 then
  return { TOO_MANY_CONNECTIONS, rcall("HLEN", connsKey(r.id)) }
end
local teams = ARGV[2]
local wanted = {}
for _, team in ipairs(split(teams)) do wanted[team] = true end
for _, team in ipairs(split(r.teams)) do
  if not wanted[team] then rcall("SREM", P .. "team:" .. team, r.id) end
end
for team in pairs(wanted) do rcall("SADD", P .. "team:" .. team, r.id) end
rcall("HSET", repKey(r.id), "in", "1", "teams", teams)
if not r.known then rcall("HSET", repKey(r.id), "cap", r.cap) end
r.teams, r.loggedIn = teams, true
if ARGV[3] ~= "" then
  local deadline = now + tonumber(ARGV[4])
  rcall("HSET", connsKey(r.id), ARGV[3], deadline)
  rcall("ZADD", P .. "hb", deadline, r.id .. "|" .. ARGV[3])
end
appendEvent("RepLoggedIn", r.id, now, { teamIds = split(teams) })
if r.st == "o" then changeState(r, "a", "", "ACTOR_REP", r.id, now) end
bump(r, now)
rcall("SADD", P .. "reps", r.id)
return snapshot(r)
