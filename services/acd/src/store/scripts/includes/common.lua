-- Shared helpers of the acd's scripts; KEYS[1] is the tenant prefix "hq:{site}:" (see tenant.lua).
--- @include "@handoff/runtime/tenant"

-- Return codes (mirrored in store/return-codes.ts).
local SESSION_NOT_FOUND = -1
local SESSION_EXISTS = -2
local WRONG_STATE = -3
local STALE_EPOCH = -4
local WRONG_REP = -5
local UNKNOWN_TEAM = -6
local UNKNOWN_PROBLEM_TYPE = -7
local NO_CONFIG = -8
local TEAM_IN_USE = -9
local UNKNOWN_REP = -10

-- Queue scans look at most this many heads per queue or index, which bounds the work of one call.
local SCAN = 50
local MAX_PRIORITY = 1000
local DEFAULT_OFFER_TIMEOUT = 30000
-- Terminal sessions stay readable this long, so late duplicates get a precise answer.
local TOMBSTONE_TTL = 3600

-- True when the comma list `have` contains every id of the comma list `need`.
local function hasAll(have, need)
  if not need or need == "" then return true end
  local padded = "," .. (have or "") .. ","
  for skill in string.gmatch(need, "[^,]+") do
    if not string.find(padded, "," .. skill .. ",", 1, true) then return false end
  end
  return true
end

local function score(priority)
  return MAX_PRIORITY - priority
end
