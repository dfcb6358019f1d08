--[[
  rebaseVersion: the acd refused a push as more than its bounded step above the version it holds
  (issue 11): presence's counter ran ahead of the acd's (the acd lost the rep, or the counter was
  moved). The rep's version restarts just above the acd's and he stays dirty, so the leader's next
  retry lands; a push still in flight with a higher version is refused too, or, if the acd applied it,
  meets markPushed's repair.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] version the acd holds

  Output: { 1 when the version was moved down, else 0 }
]]
--- @uses keys
local rcall = redis.call
local key = keys.rep(ARGV[1])
local held = tonumber(ARGV[2])
if rcall("EXISTS", key) == 0 or tonumber(rcall("HGET", key, "ver") or "0") <= held + 1 then return { 0 } end
rcall("HSET", key, "ver", held + 1)
rcall("ZADD", keys.dirty(), 0, ARGV[1])
return { 1 }
