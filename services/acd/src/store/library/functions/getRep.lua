--[[
  getRep: what routing holds for a rep. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] rep id

  Output: { 0, known 1|0, capacity, load, active, connected 1|0, not-responding 1|0, teams, version }
          or { NO_CONFIG }
]]
--- @read-only
--- @uses constants, keys, reps
local r = reps.read(ARGV[1])
if not r.known and not keys.configExists() then return { constants.NO_CONFIG } end
return { 0, r.known and 1 or 0, r.cap, r.load, r.act, r.con and 1 or 0, r.nr and 1 or 0, r.teams, r.ver }
