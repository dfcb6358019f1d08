--[[
  acceptOffer: the rep takes the offered session; it becomes active and keeps his unit of capacity.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] rep id   ARGV[3] epoch (the offer's fencing token)

  Output: { 0 } or { SESSION_NOT_FOUND } | { STALE_EPOCH, current epoch } | { WRONG_STATE, state } | { WRONG_REP }
  Events: OfferAccepted.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/fence"

local s, failure = fencedSession(ARGV[1], tonumber(ARGV[3]), "o", ARGV[2])
if not s then return failure end

local now = nowMs()
rcall("HSET", sessionKey(s.id), "st", "a", "at", now)
rcall("ZREM", P .. "dl", "o|" .. s.id .. "|" .. s.e)
rcall("SREM", P .. "ro:" .. s.r, s.id)
local r = readRep(s.r)
r.act = r.act + 1
rcall("HSET", repKey(r.id), "act", r.act)
-- Free capacity did not change; only least-busy scores count active sessions.
reindexRep(r, "lb")
appendEvent("OfferAccepted", s.id, s.e, now, { repId = r.id, waitedMs = now - s.et })
return { 0 }
