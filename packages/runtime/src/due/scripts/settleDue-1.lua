--[[
  settleDue: the leader visited a claimed tenant. Unless a mark came meanwhile, its mark becomes the next
  due time the visit found, or goes when nothing is due; a mark that came meanwhile stays, or the next due
  time when that is earlier.

  KEYS[1] prefix of the due indexes
  ARGV[1] index name   ARGV[2] tenant id   ARGV[3] the claim score claimDue returned
  ARGV[4] ms from now until its next due work, "" when none

  Output: 1 when the claim was still in place, else 0
]]
local key = KEYS[1] .. ARGV[1]
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = ARGV[4] ~= "" and now + tonumber(ARGV[4]) or nil
if redis.call("ZSCORE", key, ARGV[2]) == ARGV[3] then
  if nextAt then redis.call("ZADD", key, nextAt, ARGV[2]) else redis.call("ZREM", key, ARGV[2]) end
  return 1
end
if nextAt then redis.call("ZADD", key, "LT", nextAt, ARGV[2]) end
return 0
