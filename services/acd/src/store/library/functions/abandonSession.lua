--[[
  abandonSession: a waiting (or offered) customer leaves; an offer is withdrawn from its rep.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] reason (AbandonReason name)

  Output: { 0, waited ms } or { SESSION_NOT_FOUND } | { NO_CONFIG } | { WRONG_STATE, state }
  Events: SessionAbandoned, then OfferCreated for any new match of a released rep.
]]
--- @uses constants, sessions, reps, offers, matching, events
local ST = constants.STATE
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
if s.st ~= ST.waiting and s.st ~= ST.offered then return { constants.WRONG_STATE, s.st } end

local now = tenant.nowMs()
local released
if s.st == ST.waiting then
  sessions.leaveQueues(s)
else
  offers.cancelExpiry(s)
  released = reps.read(s.r)
  offers.releaseRep(released, s.id, false, now)
end
sessions.tombstone(s, ST.abandoned)
events.append("SessionAbandoned", s.id, s.e, now, { reason = ARGV[2], waitedMs = now - s.et })
if released then matching.matchRep(released, now, constants.TRIGGER.capacity) end
return { 0, now - s.et }
