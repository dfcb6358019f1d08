--[[
  logout: the rep leaves every team and every connection; he is offline.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] actor (Actor name)   ARGV[3] actor id

  Output: snapshot (see login) or { UNKNOWN_REP }
  Events: RepLoggedOut, RepStateChanged.
]]
--- @include "includes/common"
--- @include "includes/rep"

local now = nowMs()
local r = readRep(ARGV[1])
if not r.known then return { UNKNOWN_REP } end
for _, conn in ipairs(rcall("HKEYS", connsKey(r.id))) do rcall("ZREM", P .. "hb", r.id .. "|" .. conn) end
rcall("DEL", connsKey(r.id))
for _, team in ipairs(split(r.teams)) do rcall("SREM", P .. "team:" .. team, r.id) end
rcall("HSET", repKey(r.id), "in", "0", "teams", "")
r.teams, r.loggedIn = "", false
appendEvent("RepLoggedOut", r.id, now, { actor = ARGV[2] })
changeState(r, "o", "logged-out", ARGV[2], ARGV[3], now)
bump(r, now)
return snapshot(r)
