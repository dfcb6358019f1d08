--[[
  fireTimers: runs due deadlines of the tenant (called by the one timer leader).
  Offer expiry (keys.offerDeadline): the session goes back to its original place, the rep is marked
  not-responding (no offers until presence makes him routable again) and the session is re-matched.
  Overflow step (keys.overflowDeadline): the session also joins the step's teams and/or gains
  priority, the next step is scheduled, and it is re-matched.
  Continuation (keys.sessionContinuation, keys.repContinuation): a match that stopped at the scan
  bound resumes after the entries it saw. One per call, so a call's work stays bounded; the others
  stay due and the reply's 0 ms brings the sweeper back at once.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] at most this many deadlines per call (the caller loops)

  Output: { deadlines fired, ms until the next deadline or -1 }
  Events: OfferExpired, SessionOverflowed, OfferCreated.
]]
--- @uses constants, keys, overflowSteps, sessions, reps, offers, matching, events
local rcall = redis.call
local ST = constants.STATE
local now = tenant.nowMs()
local due = rcall("ZRANGEBYSCORE", keys.deadlines(), "-inf", now, "LIMIT", 0, tonumber(ARGV[1]))

local function expireOffer(s)
  local r = reps.read(s.r)
  r.nr = true
  rcall("HSET", keys.rep(r.id), "nr", "1")
  offers.requeue(s)
  offers.releaseRep(r, s.id, false, now)
  events.append("OfferExpired", s.id, s.e, now, { repId = r.id })
  matching.matchSession(s, now, constants.TRIGGER.expiry)
end

local function overflow(s, step)
  local steps = overflowSteps.of(s.q)
  local current = steps[step]
  if not current then return end
  local joined, added = tenant.split(s.x), {}
  for _, team in ipairs(current.addTeamIds) do
    if not string.find("," .. s.x .. ",", "," .. team .. ",", 1, true) and keys.teamQueue(team) ~= s.q then
      joined[#joined + 1] = team
      added[#added + 1] = team
    end
  end
  s.x = table.concat(joined, ",")
  s.p = math.min(constants.MAX_PRIORITY, s.p + current.priorityIncrease)
  local following = steps[step + 1]
  s.ovs = following and step + 1 or 0
  if following then rcall("ZADD", keys.deadlines(), s.et + following.afterMs, keys.overflowDeadline(s.id, s.ovs)) end
  rcall("HSET", keys.session(s.id), "x", s.x, "p", s.p, "ovs", s.ovs)
  events.append("SessionOverflowed", s.id, s.e, now, { addedTeamIds = added, priority = s.p, step = step })
  if s.st == ST.waiting then
    sessions.enterQueues(s)
    matching.matchSession(s, now, constants.TRIGGER.overflow)
  end
end

local fired, continued = 0, false
for _, member in ipairs(due) do
  local kind, id, n = keys.parseDeadline(member)
  local continuation = kind == keys.SESSION_CONTINUATION or kind == keys.REP_CONTINUATION
  if not (continuation and continued) then
    fired = fired + 1
    rcall("ZREM", keys.deadlines(), member)
    if continuation then
      continued = true
      matching.continueMatch(kind, id, n, member, now)
    else
      local s = sessions.read(id)
      if s and keys.offerDeadline(id, n) == member and s.st == ST.offered and s.e == n then
        expireOffer(s)
      elseif s and keys.overflowDeadline(id, n) == member and (s.st == ST.waiting or s.st == ST.offered) and s.ovs == n then
        overflow(s, n)
      end
    end
  end
end

local head = rcall("ZRANGE", keys.deadlines(), 0, 0, "WITHSCORES")
return { fired, head[2] and math.max(0, tonumber(head[2]) - now) or -1 }
