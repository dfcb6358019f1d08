--[[
  handOverSession: control of an active session passes to another rep (the broker's hand-over, or the
  primary leaving it to a rep still present). The session counts against the rep who now holds it;
  the leaving rep's unit is free and he is matched again. The epoch stays: the assignment goes on,
  only its holder changes. Asked again once applied (the session held by `to`), it changes nothing.
  The receiving rep is in the session already, so he takes it even at his capacity; his open offers
  are then withdrawn until his load fits (re-routed at their original place), and he gets no offer
  while it does not.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] from rep id   ARGV[4] to rep id

  Output: { 0 } or a fencing failure (modules/fencing.lua; WRONG_REP when `from` does not hold it)
  Events: OfferWithdrawn per offer withdrawn from the receiving rep, OfferCreated for new matches.
]]
--- @uses constants, keys, reps, offers, matching, fencing
local rcall = redis.call
local s, failure = fencing.session(ARGV[1], tonumber(ARGV[2]), constants.STATE.active)
if not s then return failure end
local fromId, toId = ARGV[3], ARGV[4]
if s.r == toId then return { 0 } end
if s.r ~= fromId then return { constants.WRONG_REP } end

local now = tenant.nowMs()
local from = reps.read(fromId)
offers.releaseRep(from, s.id, true, now)
local to = reps.read(toId)
to.load, to.act = to.load + 1, to.act + 1
rcall("HSET", keys.rep(toId), "load", to.load, "act", to.act)
rcall("HSET", keys.session(s.id), "r", toId)
local withdrawn = offers.withdraw(to, now)
reps.reindex(to)
for _, w in ipairs(withdrawn) do matching.matchSession(w, now, constants.TRIGGER.withdraw) end
matching.matchRep(from, now, constants.TRIGGER.handover)
return { 0 }
