--- @module events
--- @uses tenant
-- A routing event into the tenant's outbox (tenant.appendOutbox), keyed by session id ("" for
-- rep-only events) with the session's epoch as field e.
local M = {}

function M.append(eventType, sessionId, epoch, at, payload)
  tenant.appendOutbox(eventType, sessionId, at, payload, "e", epoch)
end

return M
