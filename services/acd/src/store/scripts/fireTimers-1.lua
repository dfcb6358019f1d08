--[[
  fireTimers: runs due deadlines of the tenant (called by the one timer leader).
  "o|<session>|<epoch>": offer expiry. The session goes back to its original place, the rep is marked
  not-responding (no offers until presence makes him routable again) and the session is re-matched.
  "v|<session>|<step>": overflow step. The session also joins the step's teams and/or gains priority,
  the next step is scheduled, and it is re-matched.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] at most this many deadlines per call (the caller loops)

  Output: { deadlines fired, ms until the next deadline or -1 }
  Events: OfferExpired, SessionOverflowed, OfferCreated.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local now = nowMs()
local due = rcall("ZRANGEBYSCORE", P .. "dl", "-inf", now, "LIMIT", 0, tonumber(ARGV[1]))

local function expireOffer(s)
  local r = readRep(s.r)
  r.nr = true
  rcall("HSET", repKey(r.id), "nr", "1")
  requeue(s)
  releaseRep(r, s.id, false, now)
  appendEvent("OfferExpired", s.id, s.e, now, { repId = r.id })
  matchSession(s, now, "expiry")
end

local function overflow(s, step)
  local steps = cjson.decode(rcall("HGET", P .. "team:" .. (teamOf(s.q) or ""), "ovf") or "[]")
  local current = steps[step]
  if not current then return end
  local teams, added = split(s.x), {}
  for _, team in ipairs(current.addTeamIds) do
    if not string.find("," .. s.x .. ",", "," .. team .. ",", 1, true) and "t:" .. team ~= s.q then
      teams[#teams + 1] = team
      added[#added + 1] = team
    end
  end
  s.x = table.concat(teams, ",")
  s.p = math.min(MAX_PRIORITY, s.p + current.priorityIncrease)
  local following = steps[step + 1]
  s.ovs = following and step + 1 or 0
  if following then rcall("ZADD", P .. "dl", s.et + following.afterMs, "v|" .. s.id .. "|" .. s.ovs) end
  rcall("HSET", sessionKey(s.id), "x", s.x, "p", s.p, "ovs", s.ovs)
  appendEvent("SessionOverflowed", s.id, s.e, now, { addedTeamIds = added, priority = s.p, step = step })
  if s.st == "w" then
    enterQueues(s)
    matchSession(s, now, "overflow")
  end
end

for _, member in ipairs(due) do
  rcall("ZREM", P .. "dl", member)
  local kind, id, n = string.match(member, "^(%a)|(.+)|(%d+)$")
  local s = readSession(id)
  n = tonumber(n)
  if s and kind == "o" and s.st == "o" and s.e == n then
    expireOffer(s)
  elseif s and kind == "v" and (s.st == "w" or s.st == "o") and s.ovs == n then
    overflow(s, n)
  end
end

local head = rcall("ZRANGE", P .. "dl", 0, 0, "WITHSCORES")
return { #due, head[2] and math.max(0, tonumber(head[2]) - now) or -1 }
