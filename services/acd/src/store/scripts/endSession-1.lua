--[[
  endSession: an active session ends; the rep's unit of capacity is free and he is matched again.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch

  Output: { 0, handle ms } or a fencing failure (includes/fence.lua)
  Events: SessionEnded, then OfferCreated for any new match of the rep.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"
--- @include "includes/fence"
--- @include "includes/handle-times"

local s, failure = fencedSession(ARGV[1], tonumber(ARGV[2]), "a")
if not s then return failure end

local now = nowMs()
local r = readRep(s.r)
local handle = recordHandleTime(s, now)
releaseRep(r, s.id, true, now)
tombstone(s, "e")
appendEvent("SessionEnded", s.id, s.e, now, { repId = r.id, handleMs = handle })
matchRep(r, now, "end")
return { 0, handle }
