--- @module events
--- @uses tenant
-- A presence event into the tenant's outbox (tenant.appendOutbox), keyed by rep id.
local M = {}

function M.append(eventType, repId, at, payload)
  tenant.appendOutbox(eventType, repId, at, payload)
end

return M
