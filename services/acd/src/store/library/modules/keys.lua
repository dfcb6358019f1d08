--- @module keys
--- @uses tenant, constants
-- Every key and member encoding of the acd's Redis data, in one place: the functions build no key
-- string themselves. Keys live under the tenant prefix (tenant.P, "hq:{site}:"); ids may contain ":",
-- so every per-id key has a namespace of its own.
local M = {}
local rcall = redis.call
local C = constants

function M.session(id) return tenant.P .. "s:" .. id end
-- Reps who rejected the session ("s:<id>:rj" could be another session's key).
function M.rejecters(id) return tenant.P .. "rj:" .. id end
function M.rep(id) return tenant.P .. "r:" .. id end
-- Sessions offered to a rep and not yet answered.
function M.repOffers(id) return tenant.P .. "ro:" .. id end
function M.team(id) return tenant.P .. "team:" .. id end
-- Reps of a team with free capacity, scored by the team's strategy.
function M.teamIndex(id) return tenant.P .. "ix:" .. id end
function M.teamMembers(id) return tenant.P .. "tm:" .. id end
-- The reps a team's config lists as members (putConfig); the team hash's mem = "1" says it is kept.
function M.teamMemberList(id) return tenant.P .. "tmem:" .. id end
function M.teamRoutable(id) return tenant.P .. "tr:" .. id end
-- Hashes by team: serving capacity (tcap), sessions in routing per primary team (tl).
function M.teamCapacity() return tenant.P .. "tcap" end
function M.teamLive() return tenant.P .. "tl" end
function M.teams() return tenant.P .. "teams" end
function M.problemType(id) return tenant.P .. "pt:" .. id end
function M.problemTypes() return tenant.P .. "pts" end
-- A queue ("t:<team>" or "r:<rep>") and its recent handle times.
function M.queue(q) return tenant.P .. "q:" .. q end
function M.handleTimes(q) return tenant.P .. "ht:" .. q end
function M.deadlines() return tenant.P .. "dl" end
function M.config() return tenant.P .. "cfg" end
function M.sequence() return tenant.P .. "seq" end
function M.live() return tenant.P .. "live" end
function M.roundRobin() return tenant.P .. "rr" end
function M.offerChannel() return tenant.P .. "of" end
function M.outbox() return tenant.P .. "ob" end

-- Whether the site has a routing config: a missing session, team or rep of a site without one means
-- the site is unknown (NO_CONFIG), which the caller reports on its own field.
function M.configExists() return rcall("EXISTS", M.config()) == 1 end
-- The reply for something missing: NO_CONFIG for an unknown site, else `code`.
function M.missing(code)
  if not M.configExists() then return { C.NO_CONFIG } end
  return { code }
end

-- Queues: "t:<team>" or "r:<rep>".
function M.queueOf(kind, id) return kind .. ":" .. id end
function M.teamQueue(team) return "t:" .. team end
function M.personalQueue(rep) return "r:" .. rep end
function M.teamOf(q)
  if string.sub(q, 1, 2) == "t:" then return string.sub(q, 3) end
  return nil
end
function M.targetIdOf(q) return string.sub(q, 3) end

-- Deadlines in the "dl" sorted set (score: due ms): "o|<session>|<epoch>" an offer's expiry,
-- "v|<session>|<step>" an overflow step, "m|<session>|<epoch>" and "k|<rep>|0" a match of the session
-- or for the rep that stopped at its scan bound and continues (matching.lua), with its cursors in
-- scanCursors(member).
function M.offerDeadline(id, epoch) return "o|" .. id .. "|" .. epoch end
function M.overflowDeadline(id, step) return "v|" .. id .. "|" .. step end
M.SESSION_CONTINUATION, M.REP_CONTINUATION = "m", "k"
function M.sessionContinuation(id, epoch) return M.SESSION_CONTINUATION .. "|" .. id .. "|" .. epoch end
function M.repContinuation(id) return M.REP_CONTINUATION .. "|" .. id .. "|0" end
-- A continuation's cursors: index key -> the last entry its scan saw.
function M.scanCursors(member) return tenant.P .. "sc:" .. member end
-- kind ("o", "v", "m" or "k"), session or rep id, epoch or step.
function M.parseDeadline(member)
  local kind, id, n = string.match(member, "^(%a)|(.+)|(%d+)$")
  return kind, id, tonumber(n)
end

-- A queue member: fixed-width hex enqueue time and sequence, then the session id. Equal scores sort
-- bytewise, so members of one priority sort by enqueue time, then sequence (domain/queue-order.ts).
local ORDER_FORMAT = "%0" .. C.ORDER_TIME_DIGITS .. "x%0" .. C.ORDER_SEQ_DIGITS .. "x"
local SEQ_MODULUS = 16 ^ C.ORDER_SEQ_DIGITS
local PREFIX_LENGTH = C.ORDER_TIME_DIGITS + C.ORDER_SEQ_DIGITS
function M.orderMember(enqueuedAt, seq, id) return string.format(ORDER_FORMAT, enqueuedAt, seq % SEQ_MODULUS) .. id end
-- A new member: takes the site's next sequence number.
function M.newOrderMember(enqueuedAt, id) return M.orderMember(enqueuedAt, rcall("INCR", M.sequence()), id) end
function M.sessionOfMember(member) return string.sub(member, PREFIX_LENGTH + 1) end
-- A queue's score: lower goes first, so the highest priority gets the lowest score.
function M.queueScore(priority) return C.MAX_PRIORITY - priority end

return M
