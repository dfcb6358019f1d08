--[[
  requeueSession: an offered or active session goes back into a queue at its original place (same
  enqueue time and queue member, same priority) and its rep's unit of capacity is freed: the last rep
  left, the broker could not commit an assignment the acd accepted, or a disconnected rep's sessions
  are re-queued. By default it returns to the queue it was answered from (with any overflow teams it
  had, and its pending overflow step scheduled again); another team or a rep's personal queue may be
  named instead. The epoch grows, so the old offer's or assignment's token is stale. Like a transfer,
  the rep it leaves is not offered it again, unless it goes back to his own personal queue. Then the
  session and the freed rep are matched again.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch (the current offer's or assignment's fencing token)
  ARGV[3] target kind "t" | "r", or "" for the queue it was answered from   ARGV[4] target id
  ARGV[5] reason ("rep_left", "commit_failed", "rep_disconnected", "reconciler"; carried by the event)

  Output: { 0, offered rep or "", position (0 when offered), queue length, epoch after the requeue }
          or { SESSION_NOT_FOUND } | { NO_CONFIG } | { STALE_EPOCH, current epoch } | { WRONG_STATE, state }
          | { UNKNOWN_TEAM } | { UNKNOWN_REP }
  Events: SessionTransferred (from the rep, to the queue, at the new epoch; for an offered session the
          unit it frees is an offer, not an active session), then OfferCreated for new matches.
]]
--- @uses constants, keys, teamConfig, overflowSteps, sessions, reps, offers, matching, events
local rcall = redis.call
local C = constants
local ST = constants.STATE
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
if s.e ~= tonumber(ARGV[2]) then return { C.STALE_EPOCH, s.e } end
if s.st ~= ST.offered and s.st ~= ST.active then return { C.WRONG_STATE, s.st } end
local q = s.q
if ARGV[3] ~= "" then
  q = keys.queueOf(ARGV[3], ARGV[4])
  if ARGV[3] == "t" and not teamConfig.info(ARGV[4]) then return { C.UNKNOWN_TEAM } end
  if ARGV[3] == "r" and not reps.exists(ARGV[4]) then return { C.UNKNOWN_REP } end
end

local now = tenant.nowMs()
local r = reps.read(s.r)
local wasActive = s.st == ST.active
if not wasActive then offers.cancelExpiry(s) end
offers.releaseRep(r, s.id, wasActive, now)

if q ~= s.q then
  overflowSteps.cancel(s)
  sessions.countInTeam(s.q, -1)
  sessions.countInTeam(q, 1)
  s.q, s.x = q, ""
  local team = keys.teamOf(q)
  s.ovs = overflowSteps.scheduleFirst(s, team and teamConfig.info(team))
elseif s.ovs > 0 then
  -- A step that came due while the session was active fired without effect: it is due again.
  local step = overflowSteps.of(s.q)[s.ovs]
  if step then
    rcall("ZADD", keys.deadlines(), s.et + step.afterMs, keys.overflowDeadline(s.id, s.ovs))
  else
    s.ovs = 0
  end
end
if q ~= keys.personalQueue(r.id) then s.rjn = sessions.addRejecter(s, r.id) end

local key = keys.session(s.id)
s.st, s.r, s.e = ST.waiting, nil, s.e + 1
rcall("HSET", key, "st", ST.waiting, "q", s.q, "x", s.x, "e", s.e, "ovs", s.ovs, "rjn", s.rjn)
rcall("HDEL", key, "r", "at")
sessions.enterQueues(s)
events.append("SessionTransferred", s.id, s.e, now, {
  fromRepId = r.id, target = sessions.targetOf(s.q), priority = s.p, reason = ARGV[5],
})
local offered = matching.matchSession(s, now, constants.TRIGGER.requeue) or ""
-- matchSession read its own copy of the rep it offered to; when that was him, r's load is stale.
if offered == r.id then r = reps.read(r.id) end
matching.matchRep(r, now, constants.TRIGGER.requeue)
local length = sessions.queueLength(s.q)
if offered ~= "" then return { 0, offered, 0, length, s.e } end
return { 0, "", sessions.position(s), length, s.e }
