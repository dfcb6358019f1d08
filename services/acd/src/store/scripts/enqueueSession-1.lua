--[[
  enqueueSession: a new session waits in a team queue or a rep's personal queue and is matched at once
  if an eligible rep has free capacity.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id
  ARGV[2] target kind: "t" team or "r" rep ("" with a problem type: the problem type's team)
  ARGV[3] target id
  ARGV[4] problem type id ("" for none; else it decides team, priority and skills)
  ARGV[5] priority (0..1000)
  ARGV[6] required skills, comma list
  ARGV[7] enqueue time in ms (0 = now; a rebuild passes the original time)
  ARGV[8] "1" when restored by a rebuild

  Output: { 0, offered rep id or "", position (0 when offered), queue length, epoch, expires at }
          or { SESSION_EXISTS, state } | { UNKNOWN_TEAM } | { UNKNOWN_REP } | { UNKNOWN_PROBLEM_TYPE } | { NO_CONFIG }
  Events: SessionQueued, then OfferCreated when matched.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local id, kind, targetId, problemType = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local priority, skills = tonumber(ARGV[5]), ARGV[6]
local rebuilt = ARGV[8] == "1"

local existing = rcall("HGET", sessionKey(id), "st")
if existing then return { SESSION_EXISTS, existing } end

-- A missing team, rep or problem type of a site without config means the site is unknown.
local function unknown(code)
  if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
  return { code }
end

if problemType ~= "" then
  local pt = rcall("HMGET", P .. "pt:" .. problemType, "team", "prio", "sk")
  if not pt[1] then return unknown(UNKNOWN_PROBLEM_TYPE) end
  if kind ~= "r" then kind, targetId = "t", pt[1] end
  priority = tonumber(pt[2])
  if pt[3] ~= "" then skills = (skills ~= "" and (skills .. ",") or "") .. pt[3] end
end
local team = kind == "t" and teamInfo(targetId)
if kind == "t" and not team then return unknown(UNKNOWN_TEAM) end
if kind == "r" and rcall("EXISTS", P .. "r:" .. targetId) == 0 then return unknown(UNKNOWN_REP) end

local now = nowMs()
local enqueuedAt = tonumber(ARGV[7])
if enqueuedAt == 0 then enqueuedAt = now end
local seq = rcall("INCR", P .. "seq")
-- fresh: not in any queue yet, so a match at once offers it without a queue round trip.
local s = { id = id, st = "w", q = kind .. ":" .. targetId, x = "", p = priority, sk = skills, e = 0,
  et = enqueuedAt, pt = problemType, ovs = 0, rjn = 0, fresh = true,
  o = string.format("%013x%05x", enqueuedAt, seq % 1048576) .. id }

if team and team.ov1 and team.ov1 ~= "" then
  s.ovs = 1
  rcall("ZADD", P .. "dl", enqueuedAt + tonumber(team.ov1), "v|" .. id .. "|1")
end
countInTeam(s.q, 1)
appendEvent("SessionQueued", id, 0, now, { target = targetOf(s.q), priority = s.p, requiredSkills = split(s.sk),
  enqueuedAtMs = s.et, problemTypeId = s.pt, rebuilt = rebuilt })

local rep, expiresAt = matchSession(s, now, rebuilt and "rebuild" or "enqueue")
s.fresh = false
local fields = { "st", s.st, "q", s.q, "p", s.p, "o", s.o, "sk", s.sk, "e", s.e, "et", s.et, "pt", s.pt, "ovs", s.ovs }
if rep then
  fields[#fields + 1] = "r"
  fields[#fields + 1] = rep
end
rcall("HSET", sessionKey(id), unpack(fields))
if rep then return { 0, rep, 0, rcall("ZCARD", queueKey(s.q)), s.e, expiresAt } end
enterQueues(s)
return { 0, "", rcall("ZRANK", queueKey(s.q), s.o) + 1, rcall("ZCARD", queueKey(s.q)), 0, 0 }
