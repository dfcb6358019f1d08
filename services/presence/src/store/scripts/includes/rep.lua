-- Rep hash fields: st chosen state (a available, w away, b busy, o offline), rc reason code, since
-- (ms, start of the state), by/byid who set it, in logged in (1/0), teams (comma list), cap capacity,
-- sk skills, ver version of what the acd must hold (grows with every routing-relevant change).
-- conns:<rep> maps each live connection to its heartbeat deadline; hb holds "rep|conn" by deadline.
local STATE_NAMES = { a = "REP_STATE_AVAILABLE", w = "REP_STATE_AWAY", b = "REP_STATE_BUSY", o = "REP_STATE_OFFLINE" }

local function repKey(id) return P .. "rep:" .. id end
local function connsKey(id) return P .. "conns:" .. id end

local function readRep(id)
  local v = rcall("HMGET", repKey(id), "st", "rc", "since", "by", "byid", "in", "teams", "cap", "sk", "ver")
  return { id = id, known = v[1] ~= false, st = v[1] or "o", rc = v[2] or "", since = tonumber(v[3] or "0"),
    by = v[4] or "ACTOR_SYSTEM", byid = v[5] or "", loggedIn = v[6] == "1", teams = v[7] or "",
    cap = tonumber(v[8] or "1"), sk = v[9] or "", ver = tonumber(v[10] or "0") }
end

-- Records a state change and its event, with the time spent in the previous state.
local function changeState(r, state, reason, actor, actorId, now)
  if r.known and r.st == state and r.rc == reason then return false end
  appendEvent("RepStateChanged", r.id, now, { previousState = STATE_NAMES[r.st], previousReasonCode = r.rc,
    previousDurationMs = r.known and math.max(0, now - r.since) or 0, state = STATE_NAMES[state],
    reasonCode = reason, actor = actor, actorId = actorId })
  r.st, r.rc, r.since, r.by, r.byid, r.known = state, reason, now, actor, actorId, true
  rcall("HSET", repKey(r.id), "st", state, "rc", reason, "since", now, "by", actor, "byid", actorId)
  return true
end

-- A change the acd must learn about: a new version, and the rep is dirty until the push lands.
local function bump(r, now)
  r.ver = rcall("HINCRBY", repKey(r.id), "ver", 1)
  rcall("ZADD", P .. "dirty", "NX", now, r.id)
  return r.ver
end

local function dropConnection(r, conn, now)
  rcall("HDEL", connsKey(r.id), conn)
  rcall("ZREM", P .. "hb", r.id .. "|" .. conn)
  local live = rcall("HLEN", connsKey(r.id))
  appendEvent("RepConnectionDropped", r.id, now, { connectionId = conn, liveConnections = live })
  if live == 0 then
    changeState(r, "o", "connection-lost", "ACTOR_SYSTEM", "", now)
    bump(r, now)
  end
  return live
end

-- What every mutating script returns: the rep as the acd must see it.
local function snapshot(r, extra)
  return { 0, r.st, r.rc, r.teams, r.cap, r.sk, r.ver, rcall("HLEN", connsKey(r.id)), r.since, r.by, extra or 0 }
end
