--[[
  abandonSession: a waiting (or offered) customer leaves; an offer is withdrawn from its rep.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] reason (AbandonReason name)

  Output: { 0, waited ms } or { SESSION_NOT_FOUND } | { NO_CONFIG } | { WRONG_STATE, state }
  Events: SessionAbandoned, then OfferCreated for any new match of a released rep.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local s = readSession(ARGV[1])
if not s then return missingSession() end
if s.st ~= "w" and s.st ~= "o" then return { WRONG_STATE, s.st } end

local now = nowMs()
local released
if s.st == "w" then
  leaveQueues(s)
else
  rcall("ZREM", P .. "dl", "o|" .. s.id .. "|" .. s.e)
  released = readRep(s.r)
  releaseRep(released, s.id, false, now)
end
tombstone(s, "x")
appendEvent("SessionAbandoned", s.id, s.e, now, { reason = ARGV[2], waitedMs = now - s.et })
if released then matchRep(released, now, "capacity") end
return { 0, now - s.et }
