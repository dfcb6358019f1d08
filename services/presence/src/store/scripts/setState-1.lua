--[[
  setState: the rep (or a supervisor, or the system) sets his state. Setting the state he is in
  changes nothing.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] state code (a, w, b, o)   ARGV[3] reason code   ARGV[4] actor   ARGV[5] actor id

  Output: snapshot with extra = 1 when the state changed, or { NOT_LOGGED_IN } | { UNKNOWN_REP }
  Events: RepStateChanged.
]]
--- @include "includes/common"
--- @include "includes/rep"

local now = nowMs()
local r = readRep(ARGV[1])
if not r.known then return { UNKNOWN_REP } end
if not r.loggedIn and ARGV[2] ~= "o" then return { NOT_LOGGED_IN } end
local changed = changeState(r, ARGV[2], ARGV[3], ARGV[4], ARGV[5], now)
if changed then bump(r, now) end
return snapshot(r, changed and 1 or 0)
