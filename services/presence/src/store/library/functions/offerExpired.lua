--[[
  offerExpired: the acd let an offer to this rep expire. Unless the site keeps the state, an
  available rep goes away/not-responding. Either way a new version is pushed, which also clears the
  acd's not-responding mark when he stays routable.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] "1" when the site keeps the state

  Output: snapshot, or { UNKNOWN_REP }
  Events: RepStateChanged.
]]
--- @uses constants, presenceReps
local ST = constants.STATE
local now = tenant.nowMs()
local r = presenceReps.read(ARGV[1])
if not r.known then return { constants.UNKNOWN_REP } end
if ARGV[2] ~= "1" and r.st == ST.available then
  presenceReps.changeState(r, ST.away, "not-responding", constants.ACTOR_SYSTEM, "", now)
end
presenceReps.bump(r, now)
return presenceReps.snapshot(r)
