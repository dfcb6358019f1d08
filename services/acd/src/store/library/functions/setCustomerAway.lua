--[[
  setCustomerAway: the customer of a waiting (or offered) session is away keeping his place, or back.
  Away, the session keeps its queue member and score (its place) but is skipped by every match, like
  a session no free rep has the skills for; an offer already out stays. Back, it is matched at once
  (work-conserving, as after an enqueue). Fenced by `version`: a change not newer than the last one
  applied changes nothing, so a late retry never undoes a later change. Coming back is allowed in any
  live state (a no-op beyond the flag); going away only while waiting or offered.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] "1" away, "0" back   ARGV[3] version (> 0)

  Output: { 0, 1 when applied else 0, the stored flag (1/0), rep offered at once or "" }
          or { SESSION_NOT_FOUND } | { NO_CONFIG } | { WRONG_STATE, state }
  Events: CustomerAwayChanged when applied, then OfferCreated when coming back matched.
]]
--- @uses constants, keys, sessions, matching, events
local rcall = redis.call
local ST = constants.STATE
local away, version = ARGV[2] == "1", tonumber(ARGV[3])
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
local live = s.st == ST.waiting or s.st == ST.offered or (s.st == ST.active and not away)
if not live then return { constants.WRONG_STATE, s.st } end
if version <= tonumber(rcall("HGET", keys.session(s.id), "awv") or "0") then
  return { 0, 0, s.aw and 1 or 0, "" }
end

local now = tenant.nowMs()
rcall("HSET", keys.session(s.id), "aw", away and "1" or "0", "awv", version)
s.aw = away
events.append("CustomerAwayChanged", s.id, s.e, now, { away = away, version = version })
local rep = not away and matching.matchSession(s, now, constants.TRIGGER["return"]) or ""
return { 0, 1, away and 1 or 0, rep }
