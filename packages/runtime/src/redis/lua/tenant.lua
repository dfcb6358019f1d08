--- @module tenant
-- What every tenant-scoped function shares. KEYS[1] is the tenant prefix ("hq:{site}:"); every key a
-- function touches is built from it, so a tenant's keys share one hash tag and one Redis Cluster slot.
-- The loader passes the caller's W3C traceparent as the last ARGV. begin() runs before every function
-- (the library's modules live across calls, so what belongs to one call is set here).
local M = {}
local rcall = redis.call

function M.begin(KEYS, ARGV)
  M.P = KEYS[1]
  M.traceparent = ARGV[#ARGV]
  -- Per-call memo of hashes read once per call (e.g. a team's settings).
  M.cache = {}
end

-- Redis's clock, so every replica's functions agree on time.
function M.nowMs()
  local t = rcall("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

function M.split(s)
  local out = {}
  if s and s ~= "" then
    for part in string.gmatch(s, "[^,]+") do out[#out + 1] = part end
  end
  return out
end

-- The transactional outbox: the function that changes state appends its event to "<prefix>ob" in the
-- same call; a relay forwards the stream to Kafka. Fields: t type, k partition key, at ms, d JSON
-- payload, tp traceparent, then any extra field/value pairs.
function M.appendOutbox(eventType, key, at, payload, ...)
  rcall("XADD", M.P .. "ob", "*", "t", eventType, "k", key, "at", at, "d", cjson.encode(payload), "tp", M.traceparent, ...)
end

return M
