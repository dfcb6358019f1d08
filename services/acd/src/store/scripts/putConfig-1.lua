--[[
  putConfig: replaces the tenant's routing config (already validated whole by the caller) and bumps
  its version. A team that still has sessions in routing (waiting, offered or active) cannot be removed. Reps of a team whose
  strategy changed are re-indexed under the new strategy.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] JSON { teams: [{ id, strat, tmo, keep, boost, ovf (JSON), ov1 }], pts: [{ id, team, prio, sk }] }
  ARGV[2] the config as given, returned by reads

  Output: { 0, version } or { TEAM_IN_USE, team id }
  Events: RoutingConfigChanged.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/rep"

local config = cjson.decode(ARGV[1])
local wanted, wantedTypes = {}, {}
for _, team in ipairs(config.teams) do wanted[team.id] = team end
for _, pt in ipairs(config.pts) do wantedTypes[pt.id] = pt end

local oldTeams = rcall("SMEMBERS", P .. "teams")
for _, team in ipairs(oldTeams) do
  if not wanted[team] and tonumber(rcall("HGET", P .. "tl", team) or "0") > 0 then return { TEAM_IN_USE, team } end
end
for _, team in ipairs(oldTeams) do
  if not wanted[team] then
    rcall("DEL", P .. "team:" .. team, P .. "ix:" .. team)
    rcall("SREM", P .. "teams", team)
  end
end
for _, pt in ipairs(rcall("SMEMBERS", P .. "pts")) do
  if not wantedTypes[pt] then
    rcall("DEL", P .. "pt:" .. pt)
    rcall("SREM", P .. "pts", pt)
  end
end

for id, team in pairs(wanted) do
  local key = P .. "team:" .. id
  local previous = rcall("HGET", key, "strat")
  rcall("HSET", key, "strat", team.strat, "tmo", team.tmo, "keep", team.keep, "boost", team.boost, "ovf", team.ovf,
    "ov1", team.ov1)
  rcall("SADD", P .. "teams", id)
  if previous ~= team.strat then
    teamCache[id] = nil
    for _, rep in ipairs(rcall("SMEMBERS", P .. "tm:" .. id)) do reindexRep(readRep(rep)) end
  end
end
for id, pt in pairs(wantedTypes) do
  rcall("HSET", P .. "pt:" .. id, "team", pt.team, "prio", pt.prio, "sk", pt.sk)
  rcall("SADD", P .. "pts", id)
end

local version = rcall("HINCRBY", P .. "cfg", "version", 1)
rcall("HSET", P .. "cfg", "json", ARGV[2])
appendEvent("RoutingConfigChanged", "", 0, nowMs(), { version = version })
return { 0, version }
