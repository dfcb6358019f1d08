--[[
  offerExpired: the acd let an offer to this rep expire. Unless the site keeps the state, an
  available rep goes away/not-responding. Either way a new version is pushed, which also clears the
  acd's not-responding mark when he stays routable.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] "1" when the site keeps the state

  Output: snapshot, or { UNKNOWN_REP }
  Events: RepStateChanged.
]]
--- @include "includes/common"
--- @include "includes/rep"

local now = nowMs()
local r = readRep(ARGV[1])
if not r.known then return { UNKNOWN_REP } end
if ARGV[2] ~= "1" and r.st == "a" then changeState(r, "w", "not-responding", "ACTOR_SYSTEM", "", now) end
bump(r, now)
return snapshot(r)
