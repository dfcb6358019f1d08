-- fenceFailure: whether a loaded session lets a transition through that must present the current
-- epoch (fencing token); nil when it does, else the failure reply. The epoch is checked before the
-- state so a late duplicate is told it is stale. fencedSession loads the session first.
-- Failures: { SESSION_NOT_FOUND } | { NO_CONFIG } (fencedSession) | { STALE_EPOCH, current epoch }
-- | { WRONG_STATE, state } | { WRONG_REP }.
local function fenceFailure(s, epoch, state, rep)
  if s.e ~= epoch then return { STALE_EPOCH, s.e } end
  if s.st ~= state then return { WRONG_STATE, s.st } end
  if rep and s.r ~= rep then return { WRONG_REP } end
  return nil
end

local function fencedSession(id, epoch, state, rep)
  local s = readSession(id)
  if not s then return nil, missingSession() end
  local failure = fenceFailure(s, epoch, state, rep)
  if failure then return nil, failure end
  return s
end
