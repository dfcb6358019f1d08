--[[
  getSessions: the routing records of many sessions at once (the broker's reconciler compares them
  with its own). Read-only; the caller bounds the number of ids (1,000). A site without a config holds
  no sessions, so its ids are all unknown.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1..n-1] session ids (ARGV[n] is the caller's traceparent)

  Output: flat list per id, in order: known 1|0, state, queue, epoch, rep or ""
]]
--- @read-only
--- @uses keys
local rcall = redis.call
local out = {}
for i = 1, #ARGV - 1 do
  local v = rcall("HMGET", keys.session(ARGV[i]), "st", "q", "e", "r")
  if v[1] then
    out[#out + 1] = 1
    out[#out + 1] = v[1]
    out[#out + 1] = v[2]
    out[#out + 1] = tonumber(v[3])
    out[#out + 1] = v[4] or ""
  else
    for _, none in ipairs({ 0, "", "", 0, "" }) do out[#out + 1] = none end
  end
end
return out
