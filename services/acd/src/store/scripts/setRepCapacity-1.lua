--[[
  setRepCapacity: presence tells the acd a rep's teams, skills, routable capacity and connection.
  Idempotent and ordered by version: an update whose version is not above the stored one changes
  nothing. Losing routability (capacity 0 or no connection) withdraws his pending offers, and a
  capacity below his load withdraws offers until it fits; withdrawn sessions are re-routed at their
  original place. A routable update also clears the not-responding mark.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] rep id   ARGV[2] version   ARGV[3] routable capacity   ARGV[4] team ids (comma list)
  ARGV[5] skills (comma list)   ARGV[6] connected "1" | "0"

  Output: { applied 1 | 0, stored version, offers withdrawn } or { NO_CONFIG }
  Events: RepCapacityChanged, OfferWithdrawn per withdrawn offer, OfferCreated for new matches.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
-- Teams the config no longer has are left out: presence may still list a team removed a moment ago.
local known = {}
for _, team in ipairs(split(ARGV[4])) do
  if rcall("EXISTS", P .. "team:" .. team) == 1 then known[#known + 1] = team end
end
local teamList = table.concat(known, ",")
local r = readRep(ARGV[1])
local version = tonumber(ARGV[2])
if r.known and version <= r.ver then return { 0, r.ver, 0 } end

local now = nowMs()
local newTeams = {}
for _, team in ipairs(known) do newTeams[team] = true end
local wasRoutable, oldCap = routable(r), r.cap

-- Team sets: membership (tm), routable reps (tr), serving capacity (tcap) for estimates.
for _, team in ipairs(split(r.teams)) do
  if wasRoutable then rcall("HINCRBY", P .. "tcap", team, -oldCap) end
  if not newTeams[team] then
    rcall("SREM", P .. "tm:" .. team, r.id)
    rcall("SREM", P .. "tr:" .. team, r.id)
    rcall("ZREM", P .. "ix:" .. team, r.id)
  end
end

r.cap, r.ver, r.teams, r.sk, r.con = tonumber(ARGV[3]), version, teamList, ARGV[5], ARGV[6] == "1"
local isRoutable = routable(r)
if isRoutable then r.nr = false end
if isRoutable and not wasRoutable then r.idle = now end
rcall("HSET", repKey(r.id), "cap", r.cap, "ver", r.ver, "teams", r.teams, "sk", r.sk, "con", r.con and "1" or "0",
  "nr", r.nr and "1" or "0", "idle", r.idle, "load", r.load, "act", r.act)
for team in pairs(newTeams) do
  rcall("SADD", P .. "tm:" .. team, r.id)
  if isRoutable then
    rcall("SADD", P .. "tr:" .. team, r.id)
    rcall("HINCRBY", P .. "tcap", team, r.cap)
  else
    rcall("SREM", P .. "tr:" .. team, r.id)
  end
end

local withdrawn = withdrawOffers(r, now)
reindexRep(r)
appendEvent("RepCapacityChanged", "", 0, now, { repId = r.id, routableCapacity = r.cap, version = version,
  teamIds = split(r.teams), connected = r.con })

for _, s in ipairs(withdrawn) do matchSession(s, now, "withdraw") end
matchRep(r, now, "capacity")
return { 1, version, #withdrawn }
