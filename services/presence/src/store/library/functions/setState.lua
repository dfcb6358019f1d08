--[[
  setState: the rep (or a supervisor, or the system) sets his state. Setting the state he is in
  changes nothing.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] state code (constants.STATE)   ARGV[3] reason code   ARGV[4] actor   ARGV[5] actor id

  Output: snapshot with extra = 1 when the state changed, or { NOT_LOGGED_IN } | { UNKNOWN_REP }
  Events: RepStateChanged.
]]
--- @uses constants, presenceReps
local now = tenant.nowMs()
local r = presenceReps.read(ARGV[1])
if not r.known then return { constants.UNKNOWN_REP } end
if not r.loggedIn and ARGV[2] ~= constants.STATE.offline then return { constants.NOT_LOGGED_IN } end
local changed = presenceReps.changeState(r, ARGV[2], ARGV[3], ARGV[4], ARGV[5], now)
if changed then presenceReps.bump(r, now) end
return presenceReps.snapshot(r, changed and 1 or 0)
