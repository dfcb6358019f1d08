--[[
  pullNextSession: the rep asks for the next session of his queues (manual teams included).

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] rep id

  Output: { 0, session id, epoch, expires at, queue target } or { 0, "" } when nothing is waiting for
          him or he has no free capacity; { UNKNOWN_REP } for a rep presence never reported
  Events: OfferCreated.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local r = readRep(ARGV[1])
if not r.known then
  if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
  return { UNKNOWN_REP }
end
if not hasFreeCapacity(r) then return { 0, "" } end
local s, decision = bestSessionForRep(r, true)
if not s then return { 0, "" } end
decision.trigger = "pull"
local expiresAt = offerSession(s, r, nowMs(), decision)
return { 0, s.id, s.e, expiresAt, s.q }
