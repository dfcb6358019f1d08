--[[
  rejectOffer: the rep declines; the session goes back to its original place and is never offered to
  him again; both are matched again.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] rep id   ARGV[3] epoch

  Output: { 0, rep the session was offered to next or "" } or a fencing failure (modules/fencing.lua)
  Events: OfferRejected, then OfferCreated for any new match.
]]
--- @uses constants, keys, reps, offers, matching, fencing, events
local rcall = redis.call
local s, failure = fencing.session(ARGV[1], tonumber(ARGV[3]), constants.STATE.offered, ARGV[2])
if not s then return failure end

local now = tenant.nowMs()
local r = reps.read(s.r)
offers.cancelExpiry(s)
rcall("SADD", keys.rejecters(s.id), r.id)
s.rjn = rcall("HINCRBY", keys.session(s.id), "rjn", 1)
offers.requeue(s)
offers.releaseRep(r, s.id, false, now)
events.append("OfferRejected", s.id, s.e, now, { repId = r.id })
local nextRep = matching.matchSession(s, now, constants.TRIGGER.reject) or ""
matching.matchRep(r, now, constants.TRIGGER.reject)
return { 0, nextRep }
