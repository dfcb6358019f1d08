--- @module presenceReps
--- @uses keys, constants, events
-- Rep hash fields: st chosen state (constants.STATE), rc reason code, since (ms, start of the state),
-- by/byid who set it, in logged in (1/0), teams (comma list), cap capacity, sk skills, ver version of
-- what the acd must hold (grows with every routing-relevant change). keys.conns(rep) maps each live
-- connection to its heartbeat deadline; keys.heartbeats() holds them all by deadline.
local M = {}
local rcall = redis.call
local C = constants
local ST = constants.STATE

function M.read(id)
  local v = rcall("HMGET", keys.rep(id), "st", "rc", "since", "by", "byid", "in", "teams", "cap", "sk", "ver")
  return { id = id, known = v[1] ~= false, st = v[1] or ST.offline, rc = v[2] or "", since = tonumber(v[3] or "0"),
    by = v[4] or C.ACTOR_SYSTEM, byid = v[5] or "", loggedIn = v[6] == "1", teams = v[7] or "",
    cap = tonumber(v[8] or C.DEFAULT_CAPACITY), sk = v[9] or "", ver = tonumber(v[10] or "0") }
end

function M.liveConnections(r) return rcall("HLEN", keys.conns(r.id)) end

-- Records a state change and its event, with the time spent in the previous state; false when he
-- already was in that state with that reason.
function M.changeState(r, state, reason, actor, actorId, now)
  if r.known and r.st == state and r.rc == reason then return false end
  events.append("RepStateChanged", r.id, now, { previousState = C.STATE_NAMES[r.st], previousReasonCode = r.rc,
    previousDurationMs = r.known and math.max(0, now - r.since) or 0, state = C.STATE_NAMES[state],
    reasonCode = reason, actor = actor, actorId = actorId })
  r.st, r.rc, r.since, r.by, r.byid, r.known = state, reason, now, actor, actorId, true
  rcall("HSET", keys.rep(r.id), "st", state, "rc", reason, "since", now, "by", actor, "byid", actorId)
  return true
end

-- A change the acd must learn about: a new version, and the rep is dirty until the push lands.
function M.bump(r, now)
  r.ver = rcall("HINCRBY", keys.rep(r.id), "ver", 1)
  rcall("ZADD", keys.dirty(), "NX", now, r.id)
  return r.ver
end

-- Opens or refreshes a connection with its heartbeat deadline. Returns true when the site's due index
-- must learn the deadline: a new connection, or one whose deadline moved earlier. A later deadline of
-- a connection needs no mark: the site is already due at or before its previous deadline (see
-- heartbeat.lua).
function M.keepConnection(r, conn, deadline)
  local previous = tonumber(rcall("HGET", keys.conns(r.id), conn))
  rcall("HSET", keys.conns(r.id), conn, deadline)
  rcall("ZADD", keys.heartbeats(), deadline, keys.heartbeatMember(r.id, conn))
  return previous == nil or deadline < previous
end

-- Drops a connection; his last one gone makes him offline. Returns the live connections left.
function M.dropConnection(r, conn, now)
  rcall("HDEL", keys.conns(r.id), conn)
  rcall("ZREM", keys.heartbeats(), keys.heartbeatMember(r.id, conn))
  local live = M.liveConnections(r)
  events.append("RepConnectionDropped", r.id, now, { connectionId = conn, liveConnections = live })
  if live == 0 then
    M.changeState(r, ST.offline, "connection-lost", C.ACTOR_SYSTEM, "", now)
    M.bump(r, now)
  end
  return live
end

-- What every mutating function returns: the rep as the acd must see it.
function M.snapshot(r, extra)
  return { 0, r.st, r.rc, r.teams, r.cap, r.sk, r.ver, M.liveConnections(r), r.since, r.by, extra or 0 }
end

return M
