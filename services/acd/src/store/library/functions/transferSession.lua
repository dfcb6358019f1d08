--[[
  transferSession: an active session goes to a team queue or a rep's personal queue. The team decides
  the priority boost and whether the original wait time keeps its place; neither the transferring rep
  nor any rep who rejected it before is offered it. A rep cannot transfer to his own personal queue.
  The epoch grows, so the old assignment's token is stale.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] target kind "t" | "r"   ARGV[4] target id

  Output: { 0, offered rep or "", position, queue length } or a fencing failure | { UNKNOWN_TEAM }
          | { UNKNOWN_REP } | { TRANSFER_TO_SELF }
  Events: SessionTransferred, then OfferCreated for new matches.
]]
--- @uses constants, keys, overflowSteps, sessions, reps, offers, matching, fencing, handleTimes, events
local rcall = redis.call
local C = constants
local ST = constants.STATE
local s, failure = fencing.session(ARGV[1], tonumber(ARGV[2]), ST.active)
if not s then return failure end
local kind, targetId = ARGV[3], ARGV[4]
if kind == "r" and targetId == s.r then return { C.TRANSFER_TO_SELF } end
local keepWait, boost, firstStep = "1", 0, nil
if kind == "t" then
  local team = rcall("HMGET", keys.team(targetId), "keep", "boost", "ov1")
  if not team[1] then return { C.UNKNOWN_TEAM } end
  keepWait, boost, firstStep = team[1], tonumber(team[2]), team[3]
elseif not reps.exists(targetId) then
  return { C.UNKNOWN_REP }
end

local now = tenant.nowMs()
local from = reps.read(s.r)
handleTimes.record(s, now)
offers.releaseRep(from, s.id, true, now)

overflowSteps.cancel(s)
sessions.countInTeam(s.q, -1)
s.q, s.x, s.p, s.e = keys.queueOf(kind, targetId), "", math.min(C.MAX_PRIORITY, s.p + boost), s.e + 1
s.rjn = sessions.addRejecter(s, from.id)
sessions.countInTeam(s.q, 1)
if keepWait ~= "1" then
  s.et = now
  s.o = keys.newOrderMember(now, s.id)
end
s.ovs = overflowSteps.scheduleFirst(s, { ov1 = firstStep })
rcall("HSET", keys.session(s.id), "st", ST.waiting, "q", s.q, "x", "", "p", s.p, "e", s.e, "o", s.o, "et", s.et,
  "ovs", s.ovs, "rjn", s.rjn)
rcall("HDEL", keys.session(s.id), "r", "at")
s.st = ST.waiting
sessions.enterQueues(s)
events.append("SessionTransferred", s.id, s.e, now, { fromRepId = from.id, target = sessions.targetOf(s.q), priority = s.p })
local offered = matching.matchSession(s, now, constants.TRIGGER.transfer) or ""
matching.matchRep(from, now, constants.TRIGGER.transfer)
if offered ~= "" then return { 0, offered, 0, sessions.queueLength(s.q) } end
return { 0, "", sessions.position(s), sessions.queueLength(s.q) }
