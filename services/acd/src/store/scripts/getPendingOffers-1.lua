--[[
  getPendingOffers: the offers currently waiting for an answer from the given reps, and the id of the
  outbox's last entry, read in one atomic step: every offer made later has a greater outbox id, so a
  subscriber that sends these and then tails the outbox after that id misses none and gets none twice.
  Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1..n-1] rep ids (ARGV[n] is the caller's traceparent)

  Output: { last outbox id ("0-0" when empty), then per pending offer: session id, rep id, epoch,
          expires at, queue, decision record JSON ("" for an offer made before decisions were kept) }
]]
--- @include "includes/common"
--- @include "includes/session"

local last = rcall("XREVRANGE", P .. "ob", "+", "-", "COUNT", 1)
local out = { last[1] and last[1][1] or "0-0" }
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
      out[#out + 1] = rcall("HGET", sessionKey(id), "od") or ""
    end
  end
end
return out
