--[[
  markDue: writes made work of tenants due (an outbox entry to relay, a deadline): the leader's loops
  must visit each at the given time or sooner. An earlier mark is kept; a claim in progress (a score
  with a fraction, see claimDue) gives way to any mark, so settleDue sees that something came meanwhile.
  One call carries the marks of every write of one turn of the caller's event loop (DueIndexes.mark).

  KEYS[1] prefix of the due indexes, e.g. "hq:{#acd-due}:" (one hash tag: one slot for all of them)
  ARGV, repeated per tenant: tenant id, number of pairs n, then n pairs of index name and due time in
  ms since epoch (0: at once)
  (the function client appends the traceparent as the last ARGV; it is ignored)

  Output: the number of marks that changed
]]
local changed = 0
local i = 1
while i < #ARGV do
  local id, pairs = ARGV[i], tonumber(ARGV[i + 1])
  for p = i + 2, i + 2 * pairs, 2 do
    local key = tenant.P .. ARGV[p]
    local at = tonumber(ARGV[p + 1])
    local current = tonumber(redis.call("ZSCORE", key, id))
    if not current or at < current or current % 1 ~= 0 then
      redis.call("ZADD", key, at, id)
      changed = changed + 1
    end
  end
  i = i + 2 + 2 * pairs
end
return changed
