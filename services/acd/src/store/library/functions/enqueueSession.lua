--[[
  enqueueSession: a new session waits in a team queue or a rep's personal queue and is matched at once
  if an eligible rep has free capacity. Idempotent by session id: a session already waiting, offered or
  active keeps its place, and the answer is where it stands now (nothing else of the call is used).

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id
  ARGV[2] target kind: "t" team or "r" rep ("" with a problem type: the problem type's team)
  ARGV[3] target id
  ARGV[4] problem type id ("" for none; else it decides team, priority and skills)
  ARGV[5] priority (0..MAX_PRIORITY)
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
--- @uses constants, keys, teamConfig, overflowSteps, sessions, reps, offers, matching, events
local rcall = redis.call
local C = constants
local ST = constants.STATE
local id, kind, targetId, problemType = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local priority, skills = tonumber(ARGV[5]), ARGV[6]
local rebuilt = ARGV[8] == "1"

local existing = sessions.read(id)
if existing then
  local length = sessions.queueLength(existing.q)
  if existing.st == ST.waiting then
    return { 0, "", sessions.position(existing), length, existing.e, 0, 1 }
  elseif existing.st == ST.offered then
    return { 0, existing.r, 0, length, existing.e, offers.expiry(existing), 1 }
  elseif existing.st == ST.active then
    return { 0, existing.r, 0, length, existing.e, 0, 1 }
  end
  return { C.SESSION_EXISTS, existing.st }
end

if problemType ~= "" then
  local pt = rcall("HMGET", keys.problemType(problemType), "team", "prio", "sk")
  if not pt[1] then return keys.missing(C.UNKNOWN_PROBLEM_TYPE) end
  if kind ~= "r" then kind, targetId = "t", pt[1] end
  priority = tonumber(pt[2])
  if pt[3] ~= "" then skills = (skills ~= "" and (skills .. ",") or "") .. pt[3] end
end
local q = keys.queueOf(kind, targetId)
local team = kind == "t" and teamConfig.info(targetId)
if kind == "t" and not team then return keys.missing(C.UNKNOWN_TEAM) end
if kind == "r" and not reps.exists(targetId) then return keys.missing(C.UNKNOWN_REP) end

-- The team queue's length before this session (nil when not read): the reply's queue length when it is
-- offered at once, as it then never enters the queue.
local length
if rebuilt then
  sessions.countInSite(1)
else
  local teamLimit, siteLimit = tonumber(ARGV[10]), tonumber(ARGV[11])
  if kind == "t" then
    length = sessions.queueLength(q)
    if length >= teamLimit then return { C.QUEUE_FULL, "team", teamLimit, targetId } end
  end
  if not sessions.countInSite(1, siteLimit) then return { C.QUEUE_FULL, "site", siteLimit } end
end

local now = tenant.nowMs()
local enqueuedAt = tonumber(ARGV[7])
if enqueuedAt == 0 then enqueuedAt = now end
-- fresh: not in any queue yet, so a match at once offers it without a queue round trip.
local s = { id = id, st = ST.waiting, q = q, x = "", p = priority, sk = skills, e = tonumber(ARGV[9]),
  et = enqueuedAt, pt = problemType, ovs = 0, rjn = 0, fresh = true, o = keys.newOrderMember(enqueuedAt, id) }

s.ovs = overflowSteps.scheduleFirst(s, team)
sessions.countInTeam(s.q, 1)
events.append("SessionQueued", id, s.e, now, { target = sessions.targetOf(s.q), priority = s.p,
  requiredSkills = tenant.split(s.sk), enqueuedAtMs = s.et, problemTypeId = s.pt, rebuilt = rebuilt })

local rep, expiresAt = matching.matchSession(s, now, rebuilt and C.TRIGGER.rebuild or C.TRIGGER.enqueue)
s.fresh = false
local fields = { "st", s.st, "q", s.q, "p", s.p, "o", s.o, "sk", s.sk, "e", s.e, "et", s.et, "pt", s.pt, "ovs", s.ovs }
if rep then
  fields[#fields + 1] = "r"
  fields[#fields + 1] = rep
  fields[#fields + 1] = "od"
  fields[#fields + 1] = s.od
  fields[#fields + 1] = "ox"
  fields[#fields + 1] = s.ox
end
rcall("HSET", keys.session(id), unpack(fields))
if rep then return { 0, rep, 0, length or sessions.queueLength(s.q), s.e, expiresAt, 0 } end
sessions.enterQueues(s)
return { 0, "", sessions.position(s), sessions.queueLength(s.q), s.e, 0, 0 }
