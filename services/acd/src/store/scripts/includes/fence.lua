-- fencedSession: loads a session for a transition that must present the current epoch (fencing
-- token). The epoch is checked before the state so a late duplicate is told it is stale.
local function fencedSession(id, epoch, state, rep)
  local s = readSession(id)
  if not s then return nil, missingSession() end
  if s.e ~= epoch then return nil, { STALE_EPOCH, s.e } end
  if s.st ~= state then return nil, { WRONG_STATE, s.st } end
  if rep and s.r ~= rep then return nil, { WRONG_REP } end
  return s
end
