--[[
  pullNextSession: the rep asks for the next session of his queues (manual teams included).

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] rep id

  Output: { 0, session id, epoch, expires at, queue target } or { 0, "" } when nothing is waiting for
          him or he has no free capacity; { UNKNOWN_REP } for a rep presence never reported
  Events: OfferCreated.
]]
--- @uses constants, keys, reps, offers, matching
local r = reps.read(ARGV[1])
if not r.known then return keys.missing(constants.UNKNOWN_REP) end
if not reps.hasFreeCapacity(r) then return { 0, "" } end
local s, decision = matching.bestSessionForRep(r, true)
if not s then return { 0, "" } end
decision.trigger = constants.TRIGGER.pull
local expiresAt = offers.offer(s, r, tenant.nowMs(), decision)
return { 0, s.id, s.e, expiresAt, s.q }
