--[[
  putConfig: replaces the tenant's routing config (already validated whole by the caller) and bumps
  its version. A team that still has sessions in routing (waiting, offered or active) cannot be
  removed. Reps of a team whose strategy changed are re-indexed under the new strategy. Each team's
  members are kept (keys.teamMemberList, the team hash's mem = "1"), so capacity pushes count a rep only
  in teams that list him; a rep the config no longer lists (or whose team it removes) leaves the team's
  sets and index in this call, not at presence's next push. An offer he already holds stays (he may
  answer it; it expires like any other).

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] JSON { teams: [{ id, strat, tmo, keep, boost, ovf (JSON), ov1, mem (rep ids) }],
                 pts: [{ id, team, prio, sk }] }
  ARGV[2] the config as given, returned by reads

  Output: { 0, version } or { TEAM_IN_USE, team id }
  Events: RoutingConfigChanged.
]]
--- @uses constants, keys, teamConfig, reps, events
local rcall = redis.call
local config = cjson.decode(ARGV[1])
local wanted, wantedTypes = {}, {}
for _, team in ipairs(config.teams) do wanted[team.id] = team end
for _, pt in ipairs(config.pts) do wantedTypes[pt.id] = pt end

local oldTeams = rcall("SMEMBERS", keys.teams())
for _, team in ipairs(oldTeams) do
  if not wanted[team] and tonumber(rcall("HGET", keys.teamLive(), team) or "0") > 0 then
    return { constants.TEAM_IN_USE, team }
  end
end
for _, team in ipairs(oldTeams) do
  if not wanted[team] then
    for _, rep in ipairs(rcall("SMEMBERS", keys.teamMembers(team))) do reps.dropFromTeam(rep, team) end
    rcall("DEL", keys.team(team), keys.teamIndex(team), keys.teamMemberList(team))
    rcall("HDEL", keys.teamCapacity(), team)
    rcall("SREM", keys.teams(), team)
  end
end
for _, pt in ipairs(rcall("SMEMBERS", keys.problemTypes())) do
  if not wantedTypes[pt] then
    rcall("DEL", keys.problemType(pt))
    rcall("SREM", keys.problemTypes(), pt)
  end
end

for id, team in pairs(wanted) do
  local key = keys.team(id)
  local previous = rcall("HGET", key, "strat")
  rcall("HSET", key, "strat", team.strat, "tmo", team.tmo, "keep", team.keep, "boost", team.boost, "ovf", team.ovf,
    "ov1", team.ov1, "mem", "1")
  rcall("DEL", keys.teamMemberList(id))
  for i = 1, #team.mem, 1000 do
    rcall("SADD", keys.teamMemberList(id), unpack(team.mem, i, math.min(i + 999, #team.mem)))
  end
  rcall("SADD", keys.teams(), id)
  local listed = {}
  for _, rep in ipairs(team.mem) do listed[rep] = true end
  for _, rep in ipairs(rcall("SMEMBERS", keys.teamMembers(id))) do
    if not listed[rep] then reps.dropFromTeam(rep, id) end
  end
  if previous ~= team.strat then
    teamConfig.forget(id)
    for _, rep in ipairs(rcall("SMEMBERS", keys.teamMembers(id))) do reps.reindex(reps.read(rep)) end
  end
end
for id, pt in pairs(wantedTypes) do
  rcall("HSET", keys.problemType(id), "team", pt.team, "prio", pt.prio, "sk", pt.sk)
  rcall("SADD", keys.problemTypes(), id)
end

local version = rcall("HINCRBY", keys.config(), "version", 1)
rcall("HSET", keys.config(), "json", ARGV[2])
events.append("RoutingConfigChanged", "", 0, tenant.nowMs(), { version = version })
return { 0, version }
