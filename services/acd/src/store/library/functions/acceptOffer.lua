--[[
  acceptOffer: the rep takes the offered session; it becomes active and keeps his unit of capacity.
  Idempotent: a retried accept of the same rep and epoch that was already applied succeeds again and
  changes nothing. An offer whose deadline has passed (by Redis's clock) is refused even when the
  timer has not fired yet; the timer expires it as usual.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] rep id   ARGV[3] epoch (the offer's fencing token)

  Output: { 0, 1 when it had already been accepted else 0 } or { SESSION_NOT_FOUND } | { NO_CONFIG }
          | { STALE_EPOCH, current epoch } | { WRONG_STATE, state } | { WRONG_REP }
          | { OFFER_EXPIRED, expired at ms }
  Events: OfferAccepted (none for a repeated accept).
  Deadlines: removes the offer's expiry and schedules none (routing-store.ts's RELAY_ONLY relies on it:
  the timer sweep is not told to look at the site after an accept).
]]
--- @uses constants, keys, sessions, reps, offers, fencing, events
local rcall = redis.call
local ST = constants.STATE
local rep, epoch = ARGV[2], tonumber(ARGV[3])
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
if s.st == ST.active and s.e == epoch and s.r == rep then return { 0, 1 } end
local failure = fencing.failure(s, epoch, ST.offered, rep)
if failure then return failure end

local now = tenant.nowMs()
local expiresAt = offers.expiry(s)
-- fireTimers fires a deadline whose score is <= now; an accept at that moment is already too late.
if expiresAt > 0 and expiresAt <= now then return { constants.OFFER_EXPIRED, expiresAt } end

-- Served: an away flag set while the offer was out ends here, so a later requeue offers him again.
rcall("HSET", keys.session(s.id), "st", ST.active, "at", now, "aw", "0")
offers.cancelExpiry(s)
rcall("SREM", keys.repOffers(s.r), s.id)
local r = reps.read(s.r)
r.act = r.act + 1
rcall("HSET", keys.rep(r.id), "act", r.act)
-- Free capacity did not change; only least-busy scores count active sessions.
reps.reindex(r, constants.STRATEGY.least_busy)
events.append("OfferAccepted", s.id, s.e, now, { repId = r.id, waitedMs = now - s.et })
return { 0, 0 }
