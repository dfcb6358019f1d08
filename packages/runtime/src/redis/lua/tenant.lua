-- @handoff/runtime/tenant: what every tenant-scoped script shares. KEYS[1] is the tenant prefix
-- ("hq:{site}:"); every key a script touches is built from it, so a tenant's keys share one hash tag
-- and one Redis Cluster slot. The script loader passes the caller's W3C traceparent as the last ARGV.
local P = KEYS[1]
local rcall = redis.call
local TRACEPARENT = ARGV[#ARGV]

-- Redis's clock, so every replica's scripts agree on time.
local function nowMs()
  local t = rcall("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function split(s)
  local out = {}
  if s and s ~= "" then
    for part in string.gmatch(s, "[^,]+") do out[#out + 1] = part end
  end
  return out
end

-- The transactional outbox: the script that changes state appends its event to "<prefix>ob" in the
-- same call; a relay forwards the stream to Kafka. Fields: t type, k partition key, at ms, d JSON
-- payload, tp traceparent, then any extra field/value pairs.
local function appendOutbox(eventType, key, at, payload, ...)
  rcall("XADD", P .. "ob", "*", "t", eventType, "k", key, "at", at, "d", cjson.encode(payload), "tp", TRACEPARENT, ...)
end
