--[[
  enqueueSession: a new session waits in a team queue or a rep's personal queue and is matched at once
  if an eligible rep has free capacity. Idempotent by session id: a session already waiting, offered or
  active keeps its place, and the answer is where it stands now (nothing else of the call is used).

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id
  ARGV[2] target kind: "t" team or "r" rep ("" with a problem type: the problem type's team)
  ARGV[3] target id
  ARGV[4] problem type id ("" for none; else it decides team, priority and skills)
  ARGV[5] priority (0..1000)
  ARGV[6] required skills, comma list
  ARGV[7] enqueue time in ms (0 = now; a rebuild passes the original time)
  ARGV[8] "1" when restored by a rebuild
  ARGV[9] epoch to continue from (0 for a new session; a rebuild passes the highest epoch the broker
          knows, so the next offer's fencing token is above every token already handed out)
  ARGV[10] most sessions waiting in one team's queue (a rebuild is not bounded: it restores)
  ARGV[11] most sessions one site holds in routing (waiting, offered or active)

  Output: { 0, offered (or active) rep id or "", position (0 when not waiting), queue length, epoch,
          expires at, 1 when the session was already in routing else 0 }
          or { SESSION_EXISTS, state } for an ended or abandoned one | { UNKNOWN_TEAM } | { UNKNOWN_REP }
          | { UNKNOWN_PROBLEM_TYPE } | { NO_CONFIG } | { QUEUE_FULL, "team" or "site", limit, team id }
  Events: SessionQueued, then OfferCreated when matched; none when the session was already in routing.
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

local existing = readSession(id)
if existing then
  local length = rcall("ZCARD", queueKey(existing.q))
  if existing.st == "w" then
    return { 0, "", rcall("ZRANK", queueKey(existing.q), existing.o) + 1, length, existing.e, 0, 1 }
  elseif existing.st == "o" then
    local expiresAt = rcall("ZSCORE", P .. "dl", "o|" .. id .. "|" .. existing.e)
    return { 0, existing.r, 0, length, existing.e, tonumber(expiresAt or "0"), 1 }
  elseif existing.st == "a" then
    return { 0, existing.r, 0, length, existing.e, 0, 1 }
  end
  return { SESSION_EXISTS, existing.st }
end

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

if not rebuilt then
  local teamLimit, siteLimit = tonumber(ARGV[10]), tonumber(ARGV[11])
  if kind == "t" and rcall("ZCARD", P .. "q:t:" .. targetId) >= teamLimit then return { QUEUE_FULL, "team", teamLimit, targetId } end
  if tonumber(rcall("GET", P .. "live") or "0") >= siteLimit then return { QUEUE_FULL, "site", siteLimit } end
end

local now = nowMs()
local enqueuedAt = tonumber(ARGV[7])
if enqueuedAt == 0 then enqueuedAt = now end
local seq = rcall("INCR", P .. "seq")
-- fresh: not in any queue yet, so a match at once offers it without a queue round trip.
local s = { id = id, st = "w", q = kind .. ":" .. targetId, x = "", p = priority, sk = skills, e = tonumber(ARGV[9]),
  et = enqueuedAt, pt = problemType, ovs = 0, rjn = 0, fresh = true,
  o = string.format("%013x%05x", enqueuedAt, seq % 1048576) .. id }

if team and team.ov1 and team.ov1 ~= "" then
  s.ovs = 1
  rcall("ZADD", P .. "dl", enqueuedAt + tonumber(team.ov1), "v|" .. id .. "|1")
end
countInTeam(s.q, 1)
appendEvent("SessionQueued", id, s.e, now, { target = targetOf(s.q), priority = s.p, requiredSkills = split(s.sk),
  enqueuedAtMs = s.et, problemTypeId = s.pt, rebuilt = rebuilt })

local rep, expiresAt = matchSession(s, now, rebuilt and "rebuild" or "enqueue")
s.fresh = false
local fields = { "st", s.st, "q", s.q, "p", s.p, "o", s.o, "sk", s.sk, "e", s.e, "et", s.et, "pt", s.pt, "ovs", s.ovs }
if rep then
  fields[#fields + 1] = "r"
  fields[#fields + 1] = rep
  fields[#fields + 1] = "od"
  fields[#fields + 1] = s.od
end
rcall("HSET", sessionKey(id), unpack(fields))
if rep then return { 0, rep, 0, rcall("ZCARD", queueKey(s.q)), s.e, expiresAt, 0 } end
enterQueues(s)
return { 0, "", rcall("ZRANK", queueKey(s.q), s.o) + 1, rcall("ZCARD", queueKey(s.q)), s.e, 0, 0 }
