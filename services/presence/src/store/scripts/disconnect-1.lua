--[[
  disconnect: a desktop closes its connection. The rep's last connection gone makes him offline.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] connection id

  Output: snapshot, or { UNKNOWN_REP }
  Events: RepConnectionDropped, RepStateChanged.
]]
--- @include "includes/common"
--- @include "includes/rep"

local r = readRep(ARGV[1])
if not r.known then return { UNKNOWN_REP } end
if rcall("HEXISTS", connsKey(r.id), ARGV[2]) == 1 then dropConnection(r, ARGV[2], nowMs()) end
return snapshot(r)
