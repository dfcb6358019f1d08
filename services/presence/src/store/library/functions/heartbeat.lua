--[[
  heartbeat: opens or refreshes one connection of a logged-in rep. His first live connection makes
  him connected for routing again.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] connection id   ARGV[3] deadline in ms from now
  ARGV[4] most live connections a rep may hold (a new one beyond it is refused)

  Output: snapshot with extra = the new deadline, then 1 when this is his first live connection (the
          acd must learn he is connected), then 1 when the site's heartbeat due index must learn the
          deadline (a new connection, or a deadline earlier than the one it replaces), or
          { NOT_LOGGED_IN } | { UNKNOWN_REP } | { TOO_MANY_CONNECTIONS, live connections }

  Most heartbeats only push a live connection's deadline later, and those need no due mark: every
  deadline was marked when it was set, and the leader settles a site at its earliest remaining
  deadline, so the site is due at or before the deadline being replaced. Skipping that mark saves a
  second Redis call on nearly every heartbeat.
]]
--- @uses constants, keys, presenceReps
local C = constants
local now = tenant.nowMs()
local r = presenceReps.read(ARGV[1])
if not r.known then return { C.UNKNOWN_REP } end
if not r.loggedIn then return { C.NOT_LOGGED_IN } end
local deadline = now + tonumber(ARGV[3])
local before = presenceReps.liveConnections(r)
if before >= tonumber(ARGV[4]) and redis.call("HEXISTS", keys.conns(r.id), ARGV[2]) == 0 then
  return { C.TOO_MANY_CONNECTIONS, before }
end
local markDeadline = presenceReps.keepConnection(r, ARGV[2], deadline)
if before == 0 then presenceReps.bump(r, now) end
local out = presenceReps.snapshot(r, deadline)
out[#out + 1] = before == 0 and 1 or 0
out[#out + 1] = markDeadline and 1 or 0
return out
