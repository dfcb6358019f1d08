--[[
  recordEstimate: records a wait estimate given to a customer, so reporting can measure its error
  against the real wait.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id   ARGV[2] epoch   ARGV[3] position   ARGV[4] p50 ms   ARGV[5] p90 ms   ARGV[6] known "1"|"0"

  Output: { 0 }
  Events: WaitEstimated.
]]
--- @include "includes/common"
--- @include "includes/outbox"

appendEvent("WaitEstimated", ARGV[1], tonumber(ARGV[2]), nowMs(), { position = tonumber(ARGV[3]),
  estimate = { p50Ms = tonumber(ARGV[4]), p90Ms = tonumber(ARGV[5]), known = ARGV[6] == "1" } })
return { 0 }
