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
  ARGV[5] reason ("rep_left", "commit_failed", "rep_disconnected", "reconciler"; for the logs only)

  Output: { 0, offered rep or "", position (0 when offered), queue length, epoch after the requeue }
          or { SESSION_NOT_FOUND } | { NO_CONFIG } | { STALE_EPOCH, current epoch } | { WRONG_STATE, state }
          | { UNKNOWN_TEAM } | { UNKNOWN_REP }
  Events: SessionTransferred (from the rep, to the queue, at the new epoch; for an offered session the
          unit it frees is an offer, not an active session), then OfferCreated for new matches.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local s = readSession(ARGV[1])
if not s then return missingSession() end
if s.e ~= tonumber(ARGV[2]) then return { STALE_EPOCH, s.e } end
if s.st ~= "o" and s.st ~= "a" then return { WRONG_STATE, s.st } end
local q = s.q
if ARGV[3] ~= "" then
  q = ARGV[3] .. ":" .. ARGV[4]
  if ARGV[3] == "t" and not teamInfo(ARGV[4]) then return { UNKNOWN_TEAM } end
  if ARGV[3] == "r" and rcall("EXISTS", repKey(ARGV[4])) == 0 then return { UNKNOWN_REP } end
end

local now = nowMs()
local r = readRep(s.r)
local wasActive = s.st == "a"
if not wasActive then rcall("ZREM", P .. "dl", "o|" .. s.id .. "|" .. s.e) end
releaseRep(r, s.id, wasActive, now)

if q ~= s.q then
  if s.ovs > 0 then rcall("ZREM", P .. "dl", "v|" .. s.id .. "|" .. s.ovs) end
  countInTeam(s.q, -1)
  countInTeam(q, 1)
  s.q, s.x, s.ovs = q, "", 0
  local team = teamOf(q) and teamInfo(teamOf(q))
  if team and team.ov1 and team.ov1 ~= "" then
    s.ovs = 1
    rcall("ZADD", P .. "dl", s.et + tonumber(team.ov1), "v|" .. s.id .. "|1")
  end
elseif s.ovs > 0 then
  -- A step that came due while the session was active fired without effect: it is due again.
  local steps = cjson.decode(rcall("HGET", P .. "team:" .. (teamOf(s.q) or ""), "ovf") or "[]")
  local step = steps[s.ovs]
  if step then
    rcall("ZADD", P .. "dl", s.et + step.afterMs, "v|" .. s.id .. "|" .. s.ovs)
  else
    s.ovs = 0
  end
end
if q ~= "r:" .. r.id then
  rcall("SADD", rejectersKey(s.id), r.id)
  s.rjn = rcall("SCARD", rejectersKey(s.id))
end

local key = sessionKey(s.id)
s.st, s.r, s.e = "w", nil, s.e + 1
rcall("HSET", key, "st", "w", "q", s.q, "x", s.x, "e", s.e, "ovs", s.ovs, "rjn", s.rjn)
rcall("HDEL", key, "r", "at")
enterQueues(s)
appendEvent("SessionTransferred", s.id, s.e, now, { fromRepId = r.id, target = targetOf(s.q), priority = s.p })
local offered = matchSession(s, now, "requeue") or ""
-- matchSession read its own copy of the rep it offered to; when that was him, r's load is stale.
if offered == r.id then r = readRep(r.id) end
matchRep(r, now, "requeue")
local length = rcall("ZCARD", queueKey(s.q))
if offered ~= "" then return { 0, offered, 0, length, s.e } end
return { 0, "", rcall("ZRANK", queueKey(s.q), s.o) + 1, length, s.e }
