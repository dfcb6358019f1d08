--[[
  expireConnections: drops the connections whose heartbeat deadline passed (run by the one leader).
  A rep whose last connection went is offline, and his new version must reach the acd, which then
  withdraws his pending offers and re-routes them.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] at most this many connections per call (the caller loops)

  Output: { connections dropped, ms until the next deadline or -1, rep ids that went offline... }
  Events: RepConnectionDropped, RepStateChanged.
]]
--- @uses keys, presenceReps
local rcall = redis.call
local now = tenant.nowMs()
local due = rcall("ZRANGEBYSCORE", keys.heartbeats(), "-inf", now, "LIMIT", 0, tonumber(ARGV[1]))
local out = { #due, -1 }
for _, member in ipairs(due) do
  local rep, conn = keys.parseHeartbeatMember(member)
  local r = presenceReps.read(rep)
  if presenceReps.dropConnection(r, conn, now) == 0 then out[#out + 1] = rep end
end
local head = rcall("ZRANGE", keys.heartbeats(), 0, 0, "WITHSCORES")
if head[2] then out[2] = math.max(0, tonumber(head[2]) - now) end
return out
