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
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/fence"

local rep, epoch = ARGV[2], tonumber(ARGV[3])
local s = readSession(ARGV[1])
if not s then return missingSession() end
if s.st == "a" and s.e == epoch and s.r == rep then return { 0, 1 } end
local failure = fenceFailure(s, epoch, "o", rep)
if failure then return failure end

local now = nowMs()
local deadline = "o|" .. s.id .. "|" .. s.e
local expiresAt = tonumber(rcall("ZSCORE", P .. "dl", deadline) or "0")
-- fireTimers fires a deadline whose score is <= now; an accept at that moment is already too late.
if expiresAt > 0 and expiresAt <= now then return { OFFER_EXPIRED, expiresAt } end

rcall("HSET", sessionKey(s.id), "st", "a", "at", now)
rcall("ZREM", P .. "dl", deadline)
rcall("SREM", P .. "ro:" .. s.r, s.id)
local r = readRep(s.r)
r.act = r.act + 1
rcall("HSET", repKey(r.id), "act", r.act)
-- Free capacity did not change; only least-busy scores count active sessions.
reindexRep(r, "lb")
appendEvent("OfferAccepted", s.id, s.e, now, { repId = r.id, waitedMs = now - s.et })
return { 0, 0 }
