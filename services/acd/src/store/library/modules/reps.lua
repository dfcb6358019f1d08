--- @module reps
--- @uses tenant, keys, teamConfig, sessions, constants
-- Rep hash fields: cap routable capacity, ver presence version, load offered+active, act active,
-- teams (comma list), sk skills, con connected (1/0), idle ms since idle, nr not-responding (1/0),
-- rr round-robin turn. keys.teamIndex(team) holds the reps with free capacity, scored by the team's
-- strategy.
local M = {}
local rcall = redis.call
local STRATEGY = constants.STRATEGY
local FIELDS = { "cap", "ver", "load", "act", "teams", "sk", "con", "idle", "nr", "rr" }

function M.read(id)
  local v = rcall("HMGET", keys.rep(id), unpack(FIELDS))
  return { id = id, cap = tonumber(v[1] or "0"), ver = tonumber(v[2] or "0"), load = tonumber(v[3] or "0"),
    act = tonumber(v[4] or "0"), teams = v[5] or "", sk = v[6] or "", con = v[7] == "1",
    idle = tonumber(v[8] or "0"), nr = v[9] == "1", rr = tonumber(v[10] or "0"), known = v[2] ~= false }
end

function M.exists(id) return rcall("EXISTS", keys.rep(id)) == 1 end

-- True when the comma list `have` contains every id of the comma list `need`.
function M.hasAll(have, need)
  if not need or need == "" then return true end
  local padded = "," .. (have or "") .. ","
  for skill in string.gmatch(need, "[^,]+") do
    if not string.find(padded, "," .. skill .. ",", 1, true) then return false end
  end
  return true
end

function M.routable(r) return r.cap > 0 and r.con end
function M.hasFreeCapacity(r) return M.routable(r) and not r.nr and r.load < r.cap end

-- The rep's score in a team's index: lowest goes first. A round-robin turn is taken only when a rep
-- who just got an offer is indexed in a round-robin team.
local function indexScore(r, strategy)
  if strategy == STRATEGY.least_busy then return r.act * 1e13 + r.idle end
  if strategy == STRATEGY.round_robin then
    if r.offered then
      r.offered = false
      r.rr = rcall("INCR", keys.roundRobin())
      rcall("HSET", keys.rep(r.id), "rr", r.rr)
    end
    return r.rr
  end
  return r.idle
end

-- Keeps the rep's entry in each team index in step with his free capacity and the team's strategy
-- (only the teams of strategy `only`, when given).
function M.reindex(r, only)
  local free = M.hasFreeCapacity(r)
  for _, team in ipairs(tenant.split(r.teams)) do
    local strategy = teamConfig.strategy(team)
    if not only or strategy == only then
      if free and strategy and strategy ~= STRATEGY.manual then
        rcall("ZADD", keys.teamIndex(team), indexScore(r, strategy), r.id)
      else
        rcall("ZREM", keys.teamIndex(team), r.id)
      end
    end
  end
end

-- Takes the rep out of one team's sets (members, routable, index) and, when `counted` (the team is in
-- his hash), his capacity out of its serving capacity; `teams` in his hash is the caller's to rewrite.
function M.leaveTeam(r, team, counted)
  if counted and M.routable(r) then rcall("HINCRBY", keys.teamCapacity(), team, -r.cap) end
  rcall("SREM", keys.teamMembers(team), r.id)
  rcall("SREM", keys.teamRoutable(team), r.id)
  rcall("ZREM", keys.teamIndex(team), r.id)
end

-- Takes the rep out of a team the config no longer lists him in: its sets at once, and the team from
-- his hash, so no match counts him there before presence's next push says the same.
function M.dropFromTeam(id, team)
  local r = M.read(id)
  local kept, listed = {}, false
  for _, t in ipairs(tenant.split(r.teams)) do
    if t == team then listed = true else kept[#kept + 1] = t end
  end
  M.leaveTeam(r, team, listed)
  if listed then rcall("HSET", keys.rep(id), "teams", table.concat(kept, ",")) end
end

-- The capacity serving queue q and how much of it is free: a team's routable capacity and the reps
-- in its index, or a personal queue's rep.
function M.servingCapacity(q)
  local team = keys.teamOf(q)
  if team then
    return tonumber(rcall("HGET", keys.teamCapacity(), team) or "0"), rcall("ZCARD", keys.teamIndex(team))
  end
  local r = M.read(keys.targetIdOf(q))
  local serving, free = 0, 0
  if M.routable(r) then serving = r.cap end
  if M.hasFreeCapacity(r) then free = r.cap - r.load end
  return serving, free
end

function M.eligible(r, s)
  return M.hasFreeCapacity(r) and M.hasAll(r.sk, s.sk) and not sessions.rejectedBy(s, r.id)
end

return M
