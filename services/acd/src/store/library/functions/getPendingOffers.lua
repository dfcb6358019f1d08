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
--- @read-only
--- @uses constants, keys, sessions, offers
local rcall = redis.call
local last = rcall("XREVRANGE", keys.outbox(), "+", "-", "COUNT", 1)
local out = { last[1] and last[1][1] or "0-0" }
for i = 1, #ARGV - 1 do
  local rep = ARGV[i]
  for _, id in ipairs(rcall("SMEMBERS", keys.repOffers(rep))) do
    local s = sessions.read(id)
    if s and s.st == constants.STATE.offered and s.r == rep then
      out[#out + 1] = id
      out[#out + 1] = rep
      out[#out + 1] = s.e
      out[#out + 1] = offers.expiry(s)
      out[#out + 1] = s.q
      out[#out + 1] = rcall("HGET", keys.session(id), "od") or ""
    end
  end
end
return out
