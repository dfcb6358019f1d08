-- Rep hash fields: cap routable capacity, ver presence version, load offered+active, act active,
-- teams (comma list), sk skills, con connected (1/0), idle ms since idle, nr not-responding (1/0),
-- rr round-robin turn. ix:<team> holds the reps with free capacity, scored by the team's strategy.
local REP_FIELDS = { "cap", "ver", "load", "act", "teams", "sk", "con", "idle", "nr", "rr" }

local function repKey(id) return P .. "r:" .. id end

local function readRep(id)
  local v = rcall("HMGET", repKey(id), unpack(REP_FIELDS))
  return { id = id, cap = tonumber(v[1] or "0"), ver = tonumber(v[2] or "0"), load = tonumber(v[3] or "0"),
    act = tonumber(v[4] or "0"), teams = v[5] or "", sk = v[6] or "", con = v[7] == "1",
    idle = tonumber(v[8] or "0"), nr = v[9] == "1", rr = tonumber(v[10] or "0"), known = v[2] ~= false }
end

-- A team's settings as this call needs them, read once per call: strat (li, lb, rr, mn), tmo offer
-- timeout, ov1 first overflow step; false for a team no longer in the config.
local teamCache = {}
local function teamInfo(team)
  local info = teamCache[team]
  if info == nil then
    local v = rcall("HMGET", P .. "team:" .. team, "strat", "tmo", "ov1")
    info = v[1] and { strat = v[1], tmo = tonumber(v[2]), ov1 = v[3] } or false
    teamCache[team] = info
  end
  return info
end

local function teamStrategy(team)
  local info = teamInfo(team)
  return info and info.strat
end

local function routable(r) return r.cap > 0 and r.con end
local function hasFreeCapacity(r) return routable(r) and not r.nr and r.load < r.cap end

-- The rep's score in a team's index: lowest goes first. A round-robin turn is taken only when a rep
-- who just got an offer is indexed in a round-robin team.
local function indexScore(r, strategy)
  if strategy == "lb" then return r.act * 1e13 + r.idle end
  if strategy == "rr" then
    if r.offered then
      r.offered = false
      r.rr = rcall("INCR", P .. "rr")
      rcall("HSET", repKey(r.id), "rr", r.rr)
    end
    return r.rr
  end
  return r.idle
end

-- Keeps the rep's entry in each team index in step with his free capacity and the team's strategy
-- (only the teams of strategy `only`, when given).
local function reindexRep(r, only)
  local free = hasFreeCapacity(r)
  for _, team in ipairs(split(r.teams)) do
    local strategy = teamStrategy(team)
    if not only or strategy == only then
      if free and strategy and strategy ~= "mn" then
        rcall("ZADD", P .. "ix:" .. team, indexScore(r, strategy), r.id)
      else
        rcall("ZREM", P .. "ix:" .. team, r.id)
      end
    end
  end
end

local function eligible(r, s)
  return hasFreeCapacity(r) and hasAll(r.sk, s.sk) and not rejectedBy(s, r.id)
end
