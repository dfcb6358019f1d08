--[[
  rejectOffer: the rep declines; the session goes back to its original place and is never offered to
  him again; both are matched again.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] rep id   ARGV[3] epoch

  Output: { 0, rep the session was offered to next or "" } or a fencing failure (includes/fence.lua)
  Events: OfferRejected, then OfferCreated for any new match.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"
--- @include "includes/fence"

local s, failure = fencedSession(ARGV[1], tonumber(ARGV[3]), "o", ARGV[2])
if not s then return failure end

local now = nowMs()
local r = readRep(s.r)
rcall("ZREM", P .. "dl", "o|" .. s.id .. "|" .. s.e)
rcall("SADD", rejectersKey(s.id), r.id)
s.rjn = rcall("HINCRBY", sessionKey(s.id), "rjn", 1)
requeue(s)
releaseRep(r, s.id, false, now)
appendEvent("OfferRejected", s.id, s.e, now, { repId = r.id })
local nextRep = matchSession(s, now, "reject") or ""
matchRep(r, now, "reject")
return { 0, nextRep }
