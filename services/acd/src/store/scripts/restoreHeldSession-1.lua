--[[
  restoreHeldSession: after Redis lost data, a session the broker holds as assigned to a rep comes back
  as that rep's active session, at the epoch the broker committed: it counts as his load and active
  sessions, so matching respects his capacity, and open offers beyond his capacity are withdrawn. The
  rep need not be known yet (presence reports him again later; his load is kept). A session the acd
  already knows is left as it is.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] rep id   ARGV[3] epoch
  ARGV[4] target kind "t" | "r" (the queue it was answered from)   ARGV[5] target id
  ARGV[6] priority   ARGV[7] original enqueue time in ms

  Output: { 0 } or { SESSION_EXISTS, state } | { UNKNOWN_TEAM } | { NO_CONFIG }
  Events: SessionQueued (rebuilt) and OfferAccepted (waited 0 ms) at the held epoch: a session restored
          as active; OfferWithdrawn and OfferCreated when offers beyond his capacity are withdrawn.
]]
--- @include "includes/common"
--- @include "includes/outbox"
--- @include "includes/session"
--- @include "includes/rep"
--- @include "includes/offer"
--- @include "includes/match"

local id, repId, epoch = ARGV[1], ARGV[2], tonumber(ARGV[3])
if rcall("EXISTS", P .. "cfg") == 0 then return { NO_CONFIG } end
local existing = rcall("HGET", sessionKey(id), "st")
if existing then return { SESSION_EXISTS, existing } end
if ARGV[4] == "t" and not teamInfo(ARGV[5]) then return { UNKNOWN_TEAM } end

local now = nowMs()
local q, priority, enqueuedAt = ARGV[4] .. ":" .. ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local member = string.format("%013x%05x", enqueuedAt, rcall("INCR", P .. "seq") % 1048576) .. id
rcall("HSET", sessionKey(id), "st", "a", "q", q, "x", "", "p", priority, "o", member, "sk", "", "e", epoch,
  "r", repId, "et", enqueuedAt, "pt", "", "ovs", 0, "at", now)
countInTeam(q, 1)
appendEvent("SessionQueued", id, epoch, now, { target = targetOf(q), priority = priority, requiredSkills = {},
  enqueuedAtMs = enqueuedAt, problemTypeId = "", rebuilt = true })
appendEvent("OfferAccepted", id, epoch, now, { repId = repId, waitedMs = 0 })

local r = readRep(repId)
r.load, r.act = r.load + 1, r.act + 1
rcall("HSET", repKey(r.id), "load", r.load, "act", r.act)
local withdrawn = withdrawOffers(r, now)
reindexRep(r)
for _, s in ipairs(withdrawn) do matchSession(s, now, "withdraw") end
return { 0 }
