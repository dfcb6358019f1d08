--[[
  getPendingOffers: the offers currently waiting for an answer from the given reps, so a subscriber
  that (re)connects misses none. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1..n-1] rep ids (ARGV[n] is the caller's traceparent)

  Output: flat list of { session id, rep id, epoch, expires at, queue } per pending offer
]]
--- @include "includes/common"
--- @include "includes/session"

local out = {}
for i = 1, #ARGV - 1 do
  local rep = ARGV[i]
  for _, id in ipairs(rcall("SMEMBERS", P .. "ro:" .. rep)) do
    local s = readSession(id)
    if s and s.st == "o" and s.r == rep then
      local expiresAt = rcall("ZSCORE", P .. "dl", "o|" .. id .. "|" .. s.e)
      out[#out + 1] = id
      out[#out + 1] = rep
      out[#out + 1] = s.e
      out[#out + 1] = tonumber(expiresAt or "0")
      out[#out + 1] = s.q
    end
  end
end
return out
