--- @module overflowSteps
--- @uses keys
-- A team's overflow steps as putConfig stored them (JSON list of { afterMs, addTeamIds,
-- priorityIncrease }); read only when a step fires or a session is requeued with a pending step.
local M = {}
local rcall = redis.call

-- The steps of the team of queue `q` (none for a personal queue).
function M.of(q)
  return cjson.decode(rcall("HGET", keys.team(keys.teamOf(q) or ""), "ovf") or "[]")
end

-- Schedules step 1 of a team whose settings name a first step (ov1); returns the session's step.
function M.scheduleFirst(s, info)
  if info and info.ov1 and info.ov1 ~= "" then
    rcall("ZADD", keys.deadlines(), s.et + tonumber(info.ov1), keys.overflowDeadline(s.id, 1))
    return 1
  end
  return 0
end

function M.cancel(s)
  if s.ovs > 0 then rcall("ZREM", keys.deadlines(), keys.overflowDeadline(s.id, s.ovs)) end
end

return M
