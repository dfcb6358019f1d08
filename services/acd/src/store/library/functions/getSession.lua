--[[
  getSession: a session's routing record. Read-only.

  KEYS[1] tenant prefix "hq:{site}:"
  ARGV[1] session id

  Output: { 0, state, queue, priority, epoch, rep or "", enqueued at } or { SESSION_NOT_FOUND } | { NO_CONFIG }
]]
--- @read-only
--- @uses sessions
local s, missing = sessions.readOrMissing(ARGV[1])
if not s then return missing end
return { 0, s.st, s.q, s.p, s.e, s.r or "", s.et }
