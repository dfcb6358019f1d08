--[[
  markDue: a write made work of a tenant due (an outbox entry to relay, a deadline): the leader's loops
  must visit it at the given time or sooner. An earlier mark is kept; a claim in progress (a score with
  a fraction, see claimDue) gives way to any mark, so settleDue sees that something came meanwhile.

  KEYS[1] prefix of the due indexes, e.g. "hq:{#acd-due}:" (one hash tag: one slot for all of them)
  ARGV[1] tenant (site) id
  ARGV[2k], ARGV[2k+1] index name and due time in ms since epoch (0: at once), for k = 1, 2, ...
  (the function client appends the traceparent as the last ARGV; it is ignored)

  Output: the number of indexes whose mark changed
]]
local changed = 0
for i = 2, #ARGV - 2, 2 do
  local key = tenant.P .. ARGV[i]
  local at = tonumber(ARGV[i + 1])
  local current = tonumber(redis.call("ZSCORE", key, ARGV[1]))
  if not current or at < current or current % 1 ~= 0 then
    redis.call("ZADD", key, at, ARGV[1])
    changed = changed + 1
  end
end
return changed
