--[[
  transferSession: an active session goes to a team queue or a rep's personal queue. The team decides
  the priority boost and whether the original wait time keeps its place; neither the transferring rep
  nor any rep who rejected it before is offered it. A rep cannot transfer to his own personal queue. The epoch grows, so the old assignment's token is stale.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] target kind "t" | "r"   ARGV[4] target id

  Output: { 0, offered rep or "", position, queue length } or a fencing failure | { UNKNOWN_TEAM } | { UNKNOWN_REP } | { TRANSFER_TO_SELF }
  Events: SessionTransferred, then OfferCreated for new matches.
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
local kind, targetId = ARGV[3], ARGV[4]
if kind == "r" and targetId == s.r then return { TRANSFER_TO_SELF } end
local keepWait, boost, firstStep = "1", 0, nil
if kind == "t" then
  local team = rcall("HMGET", P .. "team:" .. targetId, "keep", "boost", "ov1")
  if not team[1] then return { UNKNOWN_TEAM } end
  keepWait, boost, firstStep = team[1], tonumber(team[2]), team[3]
elseif rcall("EXISTS", P .. "r:" .. targetId) == 0 then
  return { UNKNOWN_REP }
end

local now = nowMs()
local from = readRep(s.r)
recordHandleTime(s, now)
releaseRep(from, s.id, true, now)

local key = sessionKey(s.id)
if s.ovs > 0 then rcall("ZREM", P .. "dl", "v|" .. s.id .. "|" .. s.ovs) end
countInTeam(s.q, -1)
rcall("SADD", rejectersKey(s.id), from.id)
s.q, s.x, s.p, s.e, s.ovs = kind .. ":" .. targetId, "", math.min(MAX_PRIORITY, s.p + boost), s.e + 1, 0
s.rjn = rcall("SCARD", rejectersKey(s.id))
countInTeam(s.q, 1)
if keepWait ~= "1" then
  s.et = now
  s.o = string.format("%013x%05x", now, rcall("INCR", P .. "seq") % 1048576) .. s.id
end
if firstStep and firstStep ~= "" then
  s.ovs = 1
  rcall("ZADD", P .. "dl", s.et + tonumber(firstStep), "v|" .. s.id .. "|1")
end
rcall("HSET", key, "st", "w", "q", s.q, "x", "", "p", s.p, "e", s.e, "o", s.o, "et", s.et, "ovs", s.ovs, "rjn", s.rjn)
rcall("HDEL", key, "r", "at")
s.st = "w"
enterQueues(s)
appendEvent("SessionTransferred", s.id, s.e, now, { fromRepId = from.id, target = targetOf(s.q), priority = s.p })
local offered = matchSession(s, now, "transfer") or ""
matchRep(from, now, "transfer")
if offered ~= "" then return { 0, offered, 0, rcall("ZCARD", queueKey(s.q)) } end
return { 0, "", rcall("ZRANK", queueKey(s.q), s.o) + 1, rcall("ZCARD", queueKey(s.q)) }
