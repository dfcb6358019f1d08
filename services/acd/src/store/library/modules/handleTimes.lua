--- @module handleTimes
--- @uses keys, constants
-- Recent handle times per queue feed the wait estimator, which reads the newest HANDLE_SAMPLES. The
-- list is trimmed back to them only once it holds twice as many: one LTRIM per HANDLE_SAMPLES ends
-- instead of one per end.
local M = {}
local rcall = redis.call

-- Records how long the session (as sessions.read gave it) was active: accepted at s.at until now;
-- returns it.
function M.record(s, now)
  local handle = now - (s.at or now)
  local key = keys.handleTimes(s.q)
  if rcall("LPUSH", key, handle) >= 2 * constants.HANDLE_SAMPLES then
    rcall("LTRIM", key, 0, constants.HANDLE_SAMPLES - 1)
  end
  return handle
end

-- The queue's recent handle times appended to `out`.
function M.appendTo(out, q)
  for _, handle in ipairs(rcall("LRANGE", keys.handleTimes(q), 0, constants.HANDLE_SAMPLES - 1)) do out[#out + 1] = tonumber(handle) end
  return out
end

return M
