-- Session hash fields: st state (w waiting, o offered, a active, e ended, x abandoned), q primary
-- queue ("t:<team>" or "r:<rep>"), x overflow teams (comma list), p priority, o queue member
-- (orderMember: fixed-width enqueue time + sequence + id), sk required skills, e epoch (fencing
-- token), r rep, et enqueue time, pt problem type, ovs next overflow step, rjn rejections so far,
-- at accepted at (ms), od the decision record of the last offer (JSON; read only for pending offers),
-- we "<epoch>:<ms>" of the last wait estimate recorded (recordEstimate).
local SESSION_FIELDS = { "st", "q", "x", "p", "o", "sk", "e", "r", "et", "pt", "ovs", "rjn" }

local function sessionKey(id) return P .. "s:" .. id end
-- Reps who rejected the session. Its own namespace: ids may contain ":", so "s:<id>:rj" could be
-- another session's key.
local function rejectersKey(id) return P .. "rj:" .. id end

local function readSession(id)
  local v = rcall("HMGET", sessionKey(id), unpack(SESSION_FIELDS))
  if not v[1] then return nil end
  return { id = id, st = v[1], q = v[2], x = v[3] or "", p = tonumber(v[4]), o = v[5], sk = v[6] or "",
    e = tonumber(v[7]), r = v[8], et = tonumber(v[9]), pt = v[10] or "", ovs = tonumber(v[11] or "0"),
    rjn = tonumber(v[12] or "0") }
end

-- Every queue the session waits in: its primary queue and the teams it overflowed to.
local function sessionQueues(s)
  local queues = { s.q }
  for _, team in ipairs(split(s.x)) do
    if "t:" .. team ~= s.q then queues[#queues + 1] = "t:" .. team end
  end
  return queues
end

local function queueKey(q) return P .. "q:" .. q end

local function enterQueues(s)
  local sc = score(s.p)
  for _, q in ipairs(sessionQueues(s)) do rcall("ZADD", queueKey(q), sc, s.o) end
end

local function leaveQueues(s)
  for _, q in ipairs(sessionQueues(s)) do rcall("ZREM", queueKey(q), s.o) end
end

-- The queue target as the events carry it.
local function targetOf(q)
  if string.sub(q, 1, 2) == "t:" then return { teamId = string.sub(q, 3) } end
  return { repId = string.sub(q, 3) }
end

local function teamOf(q)
  if string.sub(q, 1, 2) == "t:" then return string.sub(q, 3) end
  return nil
end

local function rejectedBy(s, rep)
  return s.rjn > 0 and rcall("SISMEMBER", rejectersKey(s.id), rep) == 1
end

-- Sessions in routing (waiting, offered or active) per primary team, so a team that has any cannot be
-- removed from the config, and per site ("live"), which bounds what one site may hold.
local function countInTeam(q, delta)
  local team = teamOf(q)
  if team then rcall("HINCRBY", P .. "tl", team, delta) end
  rcall("INCRBY", P .. "live", delta)
end

-- Ends the session's life in Redis: a short-lived tombstone answers late duplicates.
local function tombstone(s, state)
  countInTeam(s.q, -1)
  local key = sessionKey(s.id)
  rcall("HSET", key, "st", state)
  rcall("EXPIRE", key, TOMBSTONE_TTL)
  if s.rjn > 0 then rcall("DEL", rejectersKey(s.id)) end
  if s.ovs > 0 then rcall("ZREM", P .. "dl", "v|" .. s.id .. "|" .. s.ovs) end
end

-- The answer for an unknown session: an unknown site is told apart so the caller can name the field.
local function missingSession()
  if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
  return { SESSION_NOT_FOUND }
end
