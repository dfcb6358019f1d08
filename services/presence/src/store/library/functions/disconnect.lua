--[[
  disconnect: a desktop closes its connection. The rep's last connection gone makes him offline.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] connection id

  Output: snapshot, or { UNKNOWN_REP }
  Events: RepConnectionDropped, RepStateChanged.
]]
--- @uses constants, keys, presenceReps
local r = presenceReps.read(ARGV[1])
if not r.known then return { constants.UNKNOWN_REP } end
if redis.call("HEXISTS", keys.conns(r.id), ARGV[2]) == 1 then presenceReps.dropConnection(r, ARGV[2], tenant.nowMs()) end
return presenceReps.snapshot(r)
