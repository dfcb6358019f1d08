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
local TRANSFER_TO_SELF = -11
local OFFER_EXPIRED = -12
local QUEUE_FULL = -13

-- Matching reads queues and rep indexes in pages of SCAN_PAGE and stops at the first eligible entry.
-- Entries are skipped only for skills or rejections, so the scan is short unless many heads ask for
-- skills nobody free has; MAX_SCAN bounds one call's work in that case (a match beyond it waits for
-- the next routing event of that queue).
local SCAN_PAGE = 64
local MAX_SCAN = 4096
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
