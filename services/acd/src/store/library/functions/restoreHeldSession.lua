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
--- @uses constants, keys, teamConfig, sessions, reps, offers, matching, events
local rcall = redis.call
local C = constants
local id, repId, epoch = ARGV[1], ARGV[2], tonumber(ARGV[3])
if not keys.configExists() then return { C.NO_CONFIG } end
local existing = rcall("HGET", keys.session(id), "st")
if existing then return { C.SESSION_EXISTS, existing } end
if ARGV[4] == "t" and not teamConfig.info(ARGV[5]) then return { C.UNKNOWN_TEAM } end

local now = tenant.nowMs()
local q, priority, enqueuedAt = keys.queueOf(ARGV[4], ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
rcall("HSET", keys.session(id), "st", C.STATE.active, "q", q, "x", "", "p", priority,
  "o", keys.newOrderMember(enqueuedAt, id), "sk", "", "e", epoch, "r", repId, "et", enqueuedAt, "pt", "", "ovs", 0,
  "at", now)
sessions.countInTeam(q, 1)
sessions.countInSite(1)
events.append("SessionQueued", id, epoch, now, { target = sessions.targetOf(q), priority = priority,
  requiredSkills = {}, enqueuedAtMs = enqueuedAt, problemTypeId = "", rebuilt = true })
events.append("OfferAccepted", id, epoch, now, { repId = repId, waitedMs = 0 })

local r = reps.read(repId)
r.load, r.act = r.load + 1, r.act + 1
rcall("HSET", keys.rep(r.id), "load", r.load, "act", r.act)
local withdrawn = offers.withdraw(r, now)
reps.reindex(r)
for _, s in ipairs(withdrawn) do matching.matchSession(s, now, constants.TRIGGER.withdraw) end
return { 0 }
