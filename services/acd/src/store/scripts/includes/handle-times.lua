-- Recent handle times per queue feed the wait estimator; only the newest are kept.
local HANDLE_SAMPLES = 50

local function recordHandleTime(s, now)
  local acceptedAt = tonumber(rcall("HGET", sessionKey(s.id), "at") or now)
  local handle = now - acceptedAt
  local key = P .. "ht:" .. s.q
  rcall("LPUSH", key, handle)
  rcall("LTRIM", key, 0, HANDLE_SAMPLES - 1)
  return handle
end
