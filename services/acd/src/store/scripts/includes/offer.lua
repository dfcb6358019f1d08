-- offerSession: reserves one unit of the rep's capacity for the session, with a deadline.
local STRATEGY_NAMES = { li = "longest_idle", lb = "least_busy", rr = "round_robin", mn = "manual" }

local function offerTimeout(s, r)
  local team = teamOf(s.q) or split(r.teams)[1]
  local info = team and teamInfo(team)
  return info and info.tmo or DEFAULT_OFFER_TIMEOUT
end

-- A session being enqueued (s.fresh) is in no queue yet and its hash is written by the caller. The
-- decision record is kept with the session (od) so an offer replayed to a new subscriber carries it.
local function offerSession(s, r, now, decision)
  local epoch = s.e + 1
  local od = cjson.encode(decision)
  if not s.fresh then
    leaveQueues(s)
    rcall("HSET", sessionKey(s.id), "st", "o", "r", r.id, "e", epoch, "od", od)
  end
  s.st, s.r, s.e, s.od = "o", r.id, epoch, od
  r.load = r.load + 1
  r.offered = true
  rcall("HSET", repKey(r.id), "load", r.load)
  rcall("SADD", P .. "ro:" .. r.id, s.id)
  local expiresAt = now + offerTimeout(s, r)
  rcall("ZADD", P .. "dl", expiresAt, "o|" .. s.id .. "|" .. epoch)
  reindexRep(r)
  appendEvent("OfferCreated", s.id, epoch, now,
    { repId = r.id, expiresAtMs = expiresAt, fromQueue = targetOf(s.q), decision = decision })
  -- Wakes the offer feeds that watch this site (events/offer-feed.ts); they read the outbox itself.
  rcall("PUBLISH", P .. "of", "")
  return expiresAt
end

-- Frees the rep's unit held by an offer or an active session and puts him back in the indexes.
local function releaseRep(r, sessionId, wasActive, now)
  r.load = math.max(0, r.load - 1)
  if wasActive then r.act = math.max(0, r.act - 1) end
  if wasActive or r.load == 0 then r.idle = now end
  rcall("HSET", repKey(r.id), "load", r.load, "act", r.act, "idle", r.idle)
  rcall("SREM", P .. "ro:" .. r.id, sessionId)
  reindexRep(r)
end

-- Puts an offered session back in its queues at its original place (same member and priority).
local function requeue(s)
  rcall("HSET", sessionKey(s.id), "st", "w")
  rcall("HDEL", sessionKey(s.id), "r")
  s.st, s.r = "w", nil
  enterQueues(s)
end

-- Withdraws the rep's open offers while he is not routable or holds more than his capacity; the
-- sessions go back to their original place. Returns them, for the caller to match again.
local function withdrawOffers(r, now)
  local withdrawn = {}
  for _, sessionId in ipairs(rcall("SMEMBERS", P .. "ro:" .. r.id)) do
    if routable(r) and r.load <= r.cap then break end
    local s = readSession(sessionId)
    if s and s.st == "o" and s.r == r.id then
      rcall("ZREM", P .. "dl", "o|" .. s.id .. "|" .. s.e)
      requeue(s)
      releaseRep(r, s.id, false, now)
      appendEvent("OfferWithdrawn", s.id, s.e, now, { repId = r.id })
      withdrawn[#withdrawn + 1] = s
    else
      rcall("SREM", P .. "ro:" .. r.id, sessionId)
    end
  end
  return withdrawn
end
