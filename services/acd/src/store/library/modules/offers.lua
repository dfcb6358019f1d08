--- @module offers
--- @uses tenant, keys, constants, teamConfig, sessions, reps, events
-- An offer reserves one unit of the rep's capacity for the session, with a deadline.
local M = {}
local rcall = redis.call
local C = constants
local ST = constants.STATE

local function offerTimeout(s, r)
  local team = keys.teamOf(s.q) or tenant.split(r.teams)[1]
  local info = team and teamConfig.info(team)
  return info and info.tmo or C.DEFAULT_OFFER_TIMEOUT_MS
end

-- Offers the session to the rep; returns the offer's expiry. A session being enqueued (s.fresh) is in
-- no queue yet and its hash is written by the caller. The decision record is kept with the session
-- (od) so an offer replayed to a new subscriber carries it.
function M.offer(s, r, now, decision)
  local epoch = s.e + 1
  local od = cjson.encode(decision)
  local expiresAt = now + offerTimeout(s, r)
  if not s.fresh then
    sessions.leaveQueues(s)
    rcall("HSET", keys.session(s.id), "st", ST.offered, "r", r.id, "e", epoch, "od", od, "ox", M.expiryField(epoch, expiresAt))
  end
  s.st, s.r, s.e, s.od, s.ox = ST.offered, r.id, epoch, od, M.expiryField(epoch, expiresAt)
  r.load = r.load + 1
  r.offered = true
  rcall("HSET", keys.rep(r.id), "load", r.load)
  rcall("SADD", keys.repOffers(r.id), s.id)
  rcall("ZADD", keys.deadlines(), expiresAt, keys.offerDeadline(s.id, epoch))
  reps.reindex(r)
  events.append("OfferCreated", s.id, epoch, now,
    { repId = r.id, expiresAtMs = expiresAt, fromQueue = sessions.targetOf(s.q), decision = decision })
  -- Wakes the offer feeds that watch this site (events/offer-feed.ts); they read the outbox itself.
  rcall("PUBLISH", keys.offerChannel(), "")
  return expiresAt
end

-- An offer keeps its expiry in the session (ox, "<epoch>|<ms>"), so an accept need not read the
-- deadline set. The epoch says which offer it belongs to: a library of an older version, running side
-- by side during a rollout, offers without writing it.
function M.expiryField(epoch, expiresAt) return epoch .. "|" .. expiresAt end

-- The expiry of the session's offer (0 when none is scheduled).
function M.expiry(s)
  if s.ox then
    local epoch, at = string.match(s.ox, "^(%d+)|(%d+)$")
    if tonumber(epoch) == s.e then return tonumber(at) end
  end
  return tonumber(rcall("ZSCORE", keys.deadlines(), keys.offerDeadline(s.id, s.e)) or "0")
end

function M.cancelExpiry(s)
  rcall("ZREM", keys.deadlines(), keys.offerDeadline(s.id, s.e))
end

-- Frees the rep's unit held by an offer or an active session and puts him back in the indexes.
function M.releaseRep(r, sessionId, wasActive, now)
  r.load = math.max(0, r.load - 1)
  if wasActive then r.act = math.max(0, r.act - 1) end
  if wasActive or r.load == 0 then r.idle = now end
  rcall("HSET", keys.rep(r.id), "load", r.load, "act", r.act, "idle", r.idle)
  rcall("SREM", keys.repOffers(r.id), sessionId)
  reps.reindex(r)
end

-- Puts an offered session back in its queues at its original place (same member and priority).
function M.requeue(s)
  rcall("HSET", keys.session(s.id), "st", ST.waiting)
  rcall("HDEL", keys.session(s.id), "r")
  s.st, s.r = ST.waiting, nil
  sessions.enterQueues(s)
end

-- Withdraws the rep's open offers while he is not routable or holds more than his capacity; the
-- sessions go back to their original place. Returns them, for the caller to match again.
function M.withdraw(r, now)
  local withdrawn = {}
  for _, sessionId in ipairs(rcall("SMEMBERS", keys.repOffers(r.id))) do
    if reps.routable(r) and r.load <= r.cap then break end
    local s = sessions.read(sessionId)
    if s and s.st == ST.offered and s.r == r.id then
      M.cancelExpiry(s)
      M.requeue(s)
      M.releaseRep(r, s.id, false, now)
      events.append("OfferWithdrawn", s.id, s.e, now, { repId = r.id })
      withdrawn[#withdrawn + 1] = s
    else
      rcall("SREM", keys.repOffers(r.id), sessionId)
    end
  end
  return withdrawn
end

return M
