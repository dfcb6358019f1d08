--[[
  claimDue: hands the leader the tenants of one index whose work is due, and moves each one's mark to
  now + recheck + 0.5: a leader that dies before settling leaves them due again after `recheck`. Marks
  are whole milliseconds, so the half marks a claim; markDue replaces it, and settleDue can tell whether
  a mark came during the visit.

  KEYS[1] prefix of the due indexes
  ARGV[1] index name   ARGV[2] at most this many tenants   ARGV[3] recheck in ms

  Output: { claim score (string, as ZSCORE gives it), ms until the next unclaimed due time or -1,
          tenant ids... }
]]
local rcall = redis.call
local key = tenant.P .. ARGV[1]
local now = tenant.nowMs()
local due = rcall("ZRANGEBYSCORE", key, "-inf", now, "LIMIT", 0, tonumber(ARGV[2]))
local claim = now + tonumber(ARGV[3]) + 0.5
for _, id in ipairs(due) do rcall("ZADD", key, claim, id) end
local claimScore = #due > 0 and rcall("ZSCORE", key, due[1]) or ""
local head = rcall("ZRANGE", key, 0, 0, "WITHSCORES")
local out = { claimScore, head[2] and math.max(0, math.floor(tonumber(head[2]) - now)) or -1 }
for _, id in ipairs(due) do out[#out + 1] = id end
return out
