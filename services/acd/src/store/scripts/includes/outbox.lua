-- appendEvent: a routing event into the tenant's outbox (appendOutbox in tenant.lua), keyed by
-- session id ("" for rep-only events) with the session's epoch as field e.
local function appendEvent(eventType, sessionId, epoch, at, payload)
  appendOutbox(eventType, sessionId, at, payload, "e", epoch)
end
