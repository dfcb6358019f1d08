--- @module matching
--- @uses tenant, keys, constants, teamConfig, sessions, reps, offers
-- Matching. Work-conserving: called after every transition that adds a waiting session or free
-- capacity. matchSession finds the best rep for one session; matchRep the best sessions for one rep.
local M = {}
local rcall = redis.call
local C = constants
local ST = constants.STATE
local STRATEGY = constants.STRATEGY

-- Calls visit(member, score, position) for the entries of a sorted set in order, from the entry after
-- `after` (a member; the head when nil or gone), until it returns true or MAX_SCAN entries were seen.
-- The head alone is read first (it is usually the answer), then pages that grow to SCAN_PAGE. Entries
-- are skipped only for skills, rejections or away customers, so the scan is short unless many heads
-- are of that kind. Returns the last entry seen when it stopped at MAX_SCAN with entries left, so
-- that a continuation can resume after it.
local function scanInOrder(key, visit, after)
  local start = after and rcall("ZRANK", key, after)
  local offset = start and start + 1 or 0
  local size, seen, last = 1, 0, nil
  while seen < C.MAX_SCAN do
    local page = rcall("ZRANGE", key, offset, offset + size - 1, "WITHSCORES")
    for i = 1, #page, 2 do
      if visit(page[i], page[i + 1], offset + (i + 1) / 2) then return nil end
      last = page[i]
    end
    if #page < size * 2 then return nil end
    offset, seen = offset + size, seen + size
    size = math.min(size * 8, C.SCAN_PAGE)
  end
  return last
end

-- A match that stopped at MAX_SCAN in some index without an answer is not given up: the timer leader
-- continues it at once (fireTimers), after the last entry each scan saw, until it finds one or every
-- index is read to its end. `cut` maps each index key to that last entry.
local function continueLater(deadline, cut, now)
  if not next(cut) then return end
  local cursors = keys.scanCursors(deadline)
  rcall("DEL", cursors)
  for index, last in pairs(cut) do rcall("HSET", cursors, index, last) end
  rcall("ZADD", keys.deadlines(), now, deadline)
end

-- The best eligible rep of a team's index for the session, and where the scan stopped (if it did).
local function bestRepInTeam(team, s, after)
  local strategy = teamConfig.strategy(team)
  if not strategy or strategy == STRATEGY.manual then return nil end
  local best, decision
  local stopped = scanInOrder(keys.teamIndex(team), function(rep, score, position)
    local r = reps.read(rep)
    if not reps.eligible(r, s) then return false end
    best = r
    decision = { strategy = C.STRATEGY_NAMES[strategy], candidatesConsidered = position,
      winningScore = tonumber(score), tieBreak = "lowest score first; equal scores by rep id" }
    return true
  end, after)
  return best, decision, stopped
end

-- Offers a waiting session to the best eligible rep of its queues; returns the rep id and the offer's
-- expiry when it was offered. A customer away keeping his place is offered to no rep. `resume` (a
-- continuation's cursors) starts each team index's scan after the entry the last scan stopped at.
function M.matchSession(s, now, trigger, resume)
  if s.st ~= ST.waiting or s.aw then return nil end
  local cut = {}
  for _, q in ipairs(sessions.queues(s)) do
    local team = keys.teamOf(q)
    local r, decision
    if team then
      local index = keys.teamIndex(team)
      local stopped
      r, decision, stopped = bestRepInTeam(team, s, resume and resume[index])
      if stopped then cut[index] = stopped end
    else
      r = reps.read(keys.targetIdOf(q))
      if reps.eligible(r, s) then
        decision = { strategy = "personal", candidatesConsidered = 1, winningScore = 0, tieBreak = "personal queue" }
      else
        r = nil
      end
    end
    if r then
      decision.trigger = trigger
      return r.id, offers.offer(s, r, now, decision)
    end
  end
  continueLater(keys.sessionContinuation(s.id, s.e), cut, now)
  return nil
end

-- The first session in a queue's order that the rep may take, and where the scan stopped (if it did).
local function firstEligibleIn(q, r, after)
  local found, foundScore, foundMember, seen
  local stopped = scanInOrder(keys.queue(q), function(member, score, position)
    local s = sessions.read(keys.sessionOfMember(member))
    if not (s and s.st == ST.waiting and not s.aw and reps.hasAll(r.sk, s.sk) and not sessions.rejectedBy(s, r.id)) then
      return false
    end
    found, foundScore, foundMember, seen = s, tonumber(score), member, position
    return true
  end, after)
  return found, foundScore, foundMember, seen, stopped
end

-- The session the rep should get next and the decision record: personal queue first; then, among
-- his team queues, highest priority and longest waiting. `withManual`: manual teams count (a pull).
-- `resume`: a continuation's cursors by queue key. Also returns, by queue key, where scans stopped.
function M.bestSessionForRep(r, withManual, resume)
  local cut = {}
  local function scan(q)
    local key = keys.queue(q)
    local found, score, member, seen, stopped = firstEligibleIn(q, r, resume and resume[key])
    if stopped then cut[key] = stopped end
    return found, score, member, seen
  end
  local s, sc, _, seen = scan(keys.personalQueue(r.id))
  if s then
    return s, { strategy = "personal", candidatesConsidered = seen, winningScore = sc, tieBreak = "personal queue first" }
  end
  local best, bestScore, bestMember, considered, strategy = nil, nil, nil, 0, nil
  for _, team in ipairs(tenant.split(r.teams)) do
    local st = teamConfig.strategy(team)
    if st and (withManual or st ~= STRATEGY.manual) then
      local c, cs, cm, n = scan(keys.teamQueue(team))
      if c then
        considered = considered + n
        if not best or cs < bestScore or (cs == bestScore and cm < bestMember) then
          best, bestScore, bestMember, strategy = c, cs, cm, st
        end
      end
    end
  end
  if not best then return nil, nil, cut end
  return best, { strategy = C.STRATEGY_NAMES[strategy], candidatesConsidered = considered,
    winningScore = bestScore, tieBreak = "priority, then enqueue order across team queues" }
end

-- Offers sessions to the rep while he has free capacity; returns the offered session ids. `resume`
-- (a continuation's cursors) applies to the first search only: after an offer the next starts afresh.
function M.matchRep(r, now, trigger, resume)
  local offered = {}
  while reps.hasFreeCapacity(r) and #offered < r.cap do
    local s, decision, cut = M.bestSessionForRep(r, false, resume)
    if not s then
      continueLater(keys.repContinuation(r.id), cut, now)
      break
    end
    resume = nil
    decision.trigger = trigger
    offers.offer(s, r, now, decision)
    offered[#offered + 1] = s.id
  end
  return offered
end

-- Runs a continuation that fireTimers found due (keys.parseDeadline kinds "m" and "k"): the match
-- resumes where its scans stopped, if the session still waits or the rep still has room.
function M.continueMatch(kind, id, n, member, now)
  local cursors = keys.scanCursors(member)
  local resume = {}
  local flat = rcall("HGETALL", cursors)
  for i = 1, #flat, 2 do resume[flat[i]] = flat[i + 1] end
  rcall("DEL", cursors)
  if kind == keys.SESSION_CONTINUATION then
    local s = sessions.read(id)
    if s and s.e == n then M.matchSession(s, now, C.TRIGGER.continued, resume) end
  else
    local r = reps.read(id)
    if r.known then M.matchRep(r, now, C.TRIGGER.continued, resume) end
  end
end

return M
