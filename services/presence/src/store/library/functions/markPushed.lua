--[[
  markPushed: the acd answered a push with the version it holds. The rep is clean when that is
  presence's latest version. A version above every one presence issued (presence's Redis lost its
  counter, or a push came from elsewhere) would make the acd refuse presence's pushes as stale for
  ever: the rep's version moves past the acd's and he stays dirty, so the leader's next retry
  overwrites what the acd holds (issue 11).

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] version the acd holds

  Output: { 1 when clean now, 2 when the version moved past the acd's, else 0 }
]]
--- @uses keys
local rcall = redis.call
local key = keys.rep(ARGV[1])
local ver = tonumber(rcall("HGET", key, "ver") or "0")
local held = tonumber(ARGV[2])
if held > ver and rcall("EXISTS", key) == 1 then
  rcall("HSET", key, "ver", held + 1)
  rcall("ZADD", keys.dirty(), "NX", 0, ARGV[1])
  return { 2 }
end
if ver <= held then
  rcall("ZREM", keys.dirty(), ARGV[1])
  return { 1 }
end
return { 0 }
