--- @module fencing
--- @uses sessions, constants
-- Whether a session lets a transition through that must present the current epoch (fencing token).
-- The epoch is checked before the state so a late duplicate is told it is stale.
-- Failures: { SESSION_NOT_FOUND } | { NO_CONFIG } (M.session) | { STALE_EPOCH, current epoch }
-- | { WRONG_STATE, state } | { WRONG_REP }.
local M = {}
local C = constants

-- nil when the loaded session lets the transition through, else the failure reply.
function M.failure(s, epoch, state, rep)
  if s.e ~= epoch then return { C.STALE_EPOCH, s.e } end
  if s.st ~= state then return { C.WRONG_STATE, s.st } end
  if rep and s.r ~= rep then return { C.WRONG_REP } end
  return nil
end

-- Loads the session and fences it: the session, or nil and the failure reply.
function M.session(id, epoch, state, rep)
  local s, missing = sessions.readOrMissing(id)
  if not s then return nil, missing end
  local failure = M.failure(s, epoch, state, rep)
  if failure then return nil, failure end
  return s
end

return M
