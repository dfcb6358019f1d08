--[[
  getPosition: a session's state, 1-based position and what the wait estimator needs. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id

  Output: { 0, state, position, queue length, serving capacity, free capacity, epoch, handle ms... }
          or { SESSION_NOT_FOUND } | { NO_CONFIG }
]]
--- @read-only
--- @uses constants, sessions, reps, handleTimes
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
local position, length = 0, 0
if s.st == constants.STATE.waiting then
  position = sessions.position(s)
  length = sessions.queueLength(s.q)
end
local serving, free = reps.servingCapacity(s.q)
return handleTimes.appendTo({ 0, s.st, position, length, serving, free, s.e }, s.q)
