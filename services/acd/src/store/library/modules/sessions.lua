--- @module sessions
--- @uses tenant, keys, constants
-- Session hash fields: st state (constants.STATE), q primary queue ("t:<team>" or "r:<rep>"), x
-- overflow teams (comma list), p priority, o queue member (keys.orderMember), sk required skills, e
-- epoch (fencing token), r rep, et enqueue time, pt problem type, ovs next overflow step, rjn
-- rejections so far, at accepted at (ms), ox the offer's expiry (offers.expiryField), od the decision record of the last offer (JSON; read only for
-- pending offers), we "<epoch>:<ms>" of the last wait estimate recorded (recordEstimate), aw "1"
-- while the customer is away keeping his place (no rep is offered the session), awv the version of
-- the last away change.
local M = {}
local rcall = redis.call
local C = constants
local FIELDS = { "st", "q", "x", "p", "o", "sk", "e", "r", "et", "pt", "ovs", "rjn", "aw", "at", "ox" }

-- The session as a table, or nil when Redis holds nothing of it.
function M.read(id)
  local v = rcall("HMGET", keys.session(id), unpack(FIELDS))
  if not v[1] then return nil end
  return { id = id, st = v[1], q = v[2], x = v[3] or "", p = tonumber(v[4]), o = v[5], sk = v[6] or "",
    e = tonumber(v[7]), r = v[8], et = tonumber(v[9]), pt = v[10] or "", ovs = tonumber(v[11] or "0"),
    rjn = tonumber(v[12] or "0"), aw = v[13] == "1", at = tonumber(v[14]), ox = v[15] or nil }
end

-- Every queue the session waits in: its primary queue and the teams it overflowed to.
function M.queues(s)
  local queues = { s.q }
  for _, team in ipairs(tenant.split(s.x)) do
    local q = keys.teamQueue(team)
    if q ~= s.q then queues[#queues + 1] = q end
  end
  return queues
end

function M.enterQueues(s)
  local score = keys.queueScore(s.p)
  for _, q in ipairs(M.queues(s)) do rcall("ZADD", keys.queue(q), score, s.o) end
end

function M.leaveQueues(s)
  for _, q in ipairs(M.queues(s)) do rcall("ZREM", keys.queue(q), s.o) end
end

-- 1-based place in its primary queue.
function M.position(s) return rcall("ZRANK", keys.queue(s.q), s.o) + 1 end
function M.queueLength(q) return rcall("ZCARD", keys.queue(q)) end

-- The queue target as the events carry it.
function M.targetOf(q)
  local team = keys.teamOf(q)
  if team then return { teamId = team } end
  return { repId = keys.targetIdOf(q) }
end

function M.rejectedBy(s, rep)
  return s.rjn > 0 and rcall("SISMEMBER", keys.rejecters(s.id), rep) == 1
end

-- Adds the rep to the session's rejecters; returns how many there are.
function M.addRejecter(s, rep)
  rcall("SADD", keys.rejecters(s.id), rep)
  return rcall("SCARD", keys.rejecters(s.id))
end

-- Sessions in routing (waiting, offered or active) per primary team, so a team that has any cannot be
-- removed from the config. A session moving between queues moves only this count.
function M.countInTeam(q, delta)
  local team = keys.teamOf(q)
  if team then rcall("HINCRBY", keys.teamLive(), team, delta) end
end

-- Sessions in routing per site ("live"), which bounds what one site may hold: a session entering
-- (delta 1) or leaving (-1). With `limit`, one entering is counted only while the site holds fewer
-- (false when refused): the count is taken and given back rather than read first, one command less on
-- every enqueue, and no other call can see it in between.
function M.countInSite(delta, limit)
  local live = rcall("INCRBY", keys.live(), delta)
  if limit and live > limit then
    rcall("INCRBY", keys.live(), -delta)
    return false
  end
  return true
end

-- Ends the session's life in Redis: a short-lived tombstone answers late duplicates.
function M.tombstone(s, state)
  M.countInTeam(s.q, -1)
  M.countInSite(-1)
  local key = keys.session(s.id)
  rcall("HSET", key, "st", state)
  rcall("EXPIRE", key, C.TOMBSTONE_TTL_S)
  if s.rjn > 0 then rcall("DEL", keys.rejecters(s.id)) end
  if s.ovs > 0 then rcall("ZREM", keys.deadlines(), keys.overflowDeadline(s.id, s.ovs)) end
end

-- The session, or nil and the reply for a missing one (NO_CONFIG for an unknown site).
function M.readOrMissing(id)
  local s = M.read(id)
  if not s then return nil, keys.missing(C.SESSION_NOT_FOUND) end
  return s
end

return M
