-- Shared helpers. KEYS[1] = the tenant prefix "hp:{site}:"; every key is built from it, so a site's
-- presence keys share one hash tag (one Redis Cluster slot).
local P = KEYS[1]
local rcall = redis.call

-- Return codes (mirrored in store/return-codes.ts).
local NOT_LOGGED_IN = -1
local CAPACITY_TOO_HIGH = -2
local UNKNOWN_REP = -3

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

-- The transactional outbox (fields: t type, k rep id, at ms, d JSON, tp the caller's traceparent,
-- which the store passes as the last ARGV of every script).
local TRACEPARENT = ARGV[#ARGV]
local function appendEvent(eventType, repId, at, payload)
  rcall("XADD", P .. "ob", "*", "t", eventType, "k", repId, "at", at, "d", cjson.encode(payload), "tp", TRACEPARENT)
end
