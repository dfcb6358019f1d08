--- @module teamConfig
--- @uses tenant, keys
-- A team's settings as one call needs them, read once per call (tenant.cache): strat (li, lb, rr, mn),
-- tmo offer timeout, ov1 first overflow step; false for a team no longer in the config.
local M = {}
local rcall = redis.call

function M.info(team)
  local cacheKey = "team:" .. team
  local info = tenant.cache[cacheKey]
  if info == nil then
    local v = rcall("HMGET", keys.team(team), "strat", "tmo", "ov1")
    info = v[1] and { strat = v[1], tmo = tonumber(v[2]), ov1 = v[3] } or false
    tenant.cache[cacheKey] = info
  end
  return info
end

function M.strategy(team)
  local info = M.info(team)
  return info and info.strat
end

-- Forgets what this call read of the team (putConfig changed it).
function M.forget(team) tenant.cache["team:" .. team] = nil end

return M
