--[[
  settleDue: the leader visited a claimed tenant. Unless a mark came meanwhile, its mark becomes the next
  due time the visit found, or goes when nothing is due; a mark that came meanwhile stays, or the next due
  time when that is earlier.

  KEYS[1] prefix of the due indexes
  ARGV[1] index name   ARGV[2] tenant id   ARGV[3] the claim score claimDue returned
  ARGV[4] ms from now until its next due work, "" when none

  Output: 1 when the claim was still in place, else 0
]]
local rcall = redis.call
local key = tenant.P .. ARGV[1]
local nextAt = ARGV[4] ~= "" and tenant.nowMs() + tonumber(ARGV[4]) or nil
if rcall("ZSCORE", key, ARGV[2]) == ARGV[3] then
  if nextAt then rcall("ZADD", key, nextAt, ARGV[2]) else rcall("ZREM", key, ARGV[2]) end
  return 1
end
if nextAt then rcall("ZADD", key, "LT", nextAt, ARGV[2]) end
return 0
