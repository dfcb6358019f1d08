--[[
  setRepCapacity: presence tells the acd a rep's teams, skills, routable capacity and connection; a
  team that does not list him as a member is left out of his teams (issue 11).
  Idempotent and ordered by version: an update whose version is not above the stored one changes
  nothing; one more than MAX_CAPACITY_VERSION_STEP above it (0 for a rep not known yet) is refused,
  so no push can pin a rep's version out of presence's reach (presence restarts its count just above
  the stored one). Losing routability (capacity 0 or no connection) withdraws his pending offers, and a
  capacity below his load withdraws offers until it fits; withdrawn sessions are re-routed at their
  original place. A routable update also clears the not-responding mark.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] rep id   ARGV[2] version   ARGV[3] routable capacity   ARGV[4] team ids (comma list)
  ARGV[5] skills (comma list)   ARGV[6] connected "1" | "0"   ARGV[7] largest step above the stored version

  Output: { applied 1 | 0, stored version, offers withdrawn } or { NO_CONFIG } or { VERSION_STEP, stored version }
  Events: RepCapacityChanged, OfferWithdrawn per withdrawn offer, OfferCreated for new matches.
]]
--- @uses constants, keys, reps, offers, matching, events
local rcall = redis.call
if not keys.configExists() then return { constants.NO_CONFIG } end
-- Teams the config no longer has are left out (presence may still list a team removed a moment ago),
-- and so are teams whose members do not include the rep: the acd does not take a push's word for it.
-- A team written before members were kept (no mem field) is not checked until its config is put again.
local known = {}
for _, team in ipairs(tenant.split(ARGV[4])) do
  local fields = rcall("HMGET", keys.team(team), "strat", "mem")
  if fields[1] and (fields[2] ~= "1" or rcall("SISMEMBER", keys.teamMemberList(team), ARGV[1]) == 1) then
    known[#known + 1] = team
  end
end
local teamList = table.concat(known, ",")
local r = reps.read(ARGV[1])
local version = tonumber(ARGV[2])
if r.known and version <= r.ver then return { 0, r.ver, 0 } end
local held = r.known and r.ver or 0
if version > held + tonumber(ARGV[7]) then return { constants.VERSION_STEP, held } end

local now = tenant.nowMs()
local newTeams = {}
for _, team in ipairs(known) do newTeams[team] = true end
local wasRoutable, oldCap = reps.routable(r), r.cap

-- Team sets: membership, routable reps, serving capacity (for estimates).
for _, team in ipairs(tenant.split(r.teams)) do
  if not newTeams[team] then
    reps.leaveTeam(r, team, true)
  elseif wasRoutable then
    rcall("HINCRBY", keys.teamCapacity(), team, -oldCap)
  end
end

r.cap, r.ver, r.teams, r.sk, r.con = tonumber(ARGV[3]), version, teamList, ARGV[5], ARGV[6] == "1"
local isRoutable = reps.routable(r)
if isRoutable then r.nr = false end
if isRoutable and not wasRoutable then r.idle = now end
rcall("HSET", keys.rep(r.id), "cap", r.cap, "ver", r.ver, "teams", r.teams, "sk", r.sk, "con", r.con and "1" or "0",
  "nr", r.nr and "1" or "0", "idle", r.idle, "load", r.load, "act", r.act)
for team in pairs(newTeams) do
  rcall("SADD", keys.teamMembers(team), r.id)
  if isRoutable then
    rcall("SADD", keys.teamRoutable(team), r.id)
    rcall("HINCRBY", keys.teamCapacity(), team, r.cap)
  else
    rcall("SREM", keys.teamRoutable(team), r.id)
  end
end

local withdrawn = offers.withdraw(r, now)
reps.reindex(r)
events.append("RepCapacityChanged", "", 0, now, { repId = r.id, routableCapacity = r.cap, version = version,
  teamIds = tenant.split(r.teams), connected = r.con })

for _, s in ipairs(withdrawn) do matching.matchSession(s, now, constants.TRIGGER.withdraw) end
matching.matchRep(r, now, constants.TRIGGER.capacity)
return { 1, version, #withdrawn }
