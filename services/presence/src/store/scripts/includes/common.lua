-- Shared helpers of presence's scripts; KEYS[1] is the tenant prefix "hp:{site}:" (see tenant.lua).
--- @include "@handoff/runtime/tenant"

-- Return codes (mirrored in store/return-codes.ts).
local NOT_LOGGED_IN = -1
local CAPACITY_TOO_HIGH = -2
local UNKNOWN_REP = -3
local TOO_MANY_CONNECTIONS = -4

-- A presence event into the tenant's outbox, keyed by rep id.
local function appendEvent(eventType, repId, at, payload)
  appendOutbox(eventType, repId, at, payload)
end
