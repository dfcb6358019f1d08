--[[
  endSession: an active session ends; the rep's unit of capacity is free and he is matched again.
  The caller names the rep the session is assigned to: an end for another rep is WRONG_REP.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] rep id

  Output: { 0, handle ms } or a fencing failure (modules/fencing.lua)
  Events: SessionEnded, then OfferCreated for any new match of the rep.
]]
--- @uses constants, sessions, reps, offers, matching, fencing, handleTimes, events
local ST = constants.STATE
local s, failure = fencing.session(ARGV[1], tonumber(ARGV[2]), ST.active, ARGV[3])
if not s then return failure end

local now = tenant.nowMs()
local r = reps.read(s.r)
local handle = handleTimes.record(s, now)
offers.releaseRep(r, s.id, true, now)
sessions.tombstone(s, ST.ended)
events.append("SessionEnded", s.id, s.e, now, { repId = r.id, handleMs = handle })
matching.matchRep(r, now, constants.TRIGGER["end"])
return { 0, handle }
