--[[
  recordEstimate: records a wait estimate given to a customer, so reporting can measure its error
  against the real wait. A customer's page asks for his position every few seconds: one estimate per
  session per interval (and the first of each epoch, so a transferred session's new wait counts) is
  enough for that error, and keeps reads from filling the outbox.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] position   ARGV[4] p50 ms   ARGV[5] p90 ms   ARGV[6] known "1"|"0"
  ARGV[7] interval ms: no second record of the same epoch within it

  Session hash field written: we "<epoch>:<ms>" of the last recorded estimate.
  Output: { 1 } recorded, { 0 } not (recorded within the interval, or the session is gone)
  Events: WaitEstimated.
]]
--- @uses constants, keys, events
local rcall = redis.call
local key = keys.session(ARGV[1])
local st, last = unpack(rcall("HMGET", key, "st", "we"))
if st ~= constants.STATE.waiting then return { 0 } end
local now = tenant.nowMs()
if last then
  local sep = string.find(last, ":", 1, true)
  if string.sub(last, 1, sep - 1) == ARGV[2] and now - tonumber(string.sub(last, sep + 1)) < tonumber(ARGV[7]) then
    return { 0 }
  end
end
rcall("HSET", key, "we", ARGV[2] .. ":" .. now)
events.append("WaitEstimated", ARGV[1], tonumber(ARGV[2]), now, { position = tonumber(ARGV[3]),
  estimate = { p50Ms = tonumber(ARGV[4]), p90Ms = tonumber(ARGV[5]), known = ARGV[6] == "1" } })
return { 1 }
