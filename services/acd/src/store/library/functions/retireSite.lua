--[[
  retireSite: the first step of retiring a site (issue 11 item 4). Refused while the site holds any
  session in routing (waiting, offered or active: the broker ends or abandons them first). Otherwise the
  config, its teams, members and problem types go at once, so every later write of the site is
  NO_CONFIG; the caller then waits for the outbox to be relayed and removes the site's remaining keys.

  KEYS[1] tenant prefix "hq:{site}:"

  Output: { 0 } or { NO_CONFIG } or { SITE_IN_USE, sessions in routing }
]]
--- @uses constants, keys
local rcall = redis.call
if not keys.configExists() then return { constants.NO_CONFIG } end
local live = tonumber(rcall("GET", keys.live()) or "0")
if live > 0 then return { constants.SITE_IN_USE, live } end
for _, team in ipairs(rcall("SMEMBERS", keys.teams())) do
  rcall("DEL", keys.team(team), keys.teamMemberList(team))
end
for _, pt in ipairs(rcall("SMEMBERS", keys.problemTypes())) do rcall("DEL", keys.problemType(pt)) end
rcall("DEL", keys.config(), keys.teams(), keys.problemTypes())
return { 0 }
