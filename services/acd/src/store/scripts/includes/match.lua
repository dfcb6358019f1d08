-- Matching. Work-conserving: called after every transition that adds a waiting session or free
-- capacity. matchSession finds the best rep for one session; matchRep the best sessions for one rep.

-- Calls visit(member, score, position) for the entries of a sorted set in order until it returns
-- true or MAX_SCAN entries were seen. The head alone is read first (it is usually the answer), then
-- pages that grow to SCAN_PAGE.
local function scanInOrder(key, visit)
  local offset, size = 0, 1
  while offset < MAX_SCAN do
    local page = rcall("ZRANGE", key, offset, offset + size - 1, "WITHSCORES")
    for i = 1, #page, 2 do
      if visit(page[i], page[i + 1], offset + (i + 1) / 2) then return end
    end
    if #page < size * 2 then return end
    offset = offset + size
    size = math.min(size * 8, SCAN_PAGE)
  end
end

-- The best eligible rep of a team's index for the session.
local function bestRepInTeam(team, s)
  local strategy = teamStrategy(team)
  if not strategy or strategy == "mn" then return nil end
  local best, decision
  scanInOrder(P .. "ix:" .. team, function(rep, score, position)
    local r = readRep(rep)
    if not eligible(r, s) then return false end
    best = r
    decision = { strategy = STRATEGY_NAMES[strategy], candidatesConsidered = position, winningScore = tonumber(score),
      tieBreak = "lowest score first; equal scores by rep id" }
    return true
  end)
  return best, decision
end

-- Returns the rep and the offer's expiry when the session was offered.
local function matchSession(s, now, trigger)
  if s.st ~= "w" then return nil end
  for _, q in ipairs(sessionQueues(s)) do
    local team = teamOf(q)
    local r, decision
    if team then
      r, decision = bestRepInTeam(team, s)
    else
      r = readRep(string.sub(q, 3))
      if eligible(r, s) then
        decision = { strategy = "personal", candidatesConsidered = 1, winningScore = 0, tieBreak = "personal queue" }
      else
        r = nil
      end
    end
    if r then
      decision.trigger = trigger
      return r.id, offerSession(s, r, now, decision)
    end
  end
  return nil
end

-- The first session in a queue's order that the rep may take.
local function firstEligibleIn(q, r)
  local found, foundScore, foundMember, seen
  scanInOrder(queueKey(q), function(member, score, position)
    local s = readSession(string.sub(member, 19))
    if not (s and s.st == "w" and hasAll(r.sk, s.sk) and not rejectedBy(s, r.id)) then return false end
    found, foundScore, foundMember, seen = s, tonumber(score), member, position
    return true
  end)
  return found, foundScore, foundMember, seen
end

-- Personal queue first; then, among his team queues, highest priority and longest waiting.
local function bestSessionForRep(r, withManual)
  local s, sc, _, seen = firstEligibleIn("r:" .. r.id, r)
  if s then
    return s, { strategy = "personal", candidatesConsidered = seen, winningScore = sc, tieBreak = "personal queue first" }
  end
  local best, bestScore, bestMember, considered, strategy = nil, nil, nil, 0, nil
  for _, team in ipairs(split(r.teams)) do
    local st = teamStrategy(team)
    if st and (withManual or st ~= "mn") then
      local c, cs, cm, n = firstEligibleIn("t:" .. team, r)
      if c then
        considered = considered + n
        if not best or cs < bestScore or (cs == bestScore and cm < bestMember) then
          best, bestScore, bestMember, strategy = c, cs, cm, st
        end
      end
    end
  end
  if not best then return nil end
  return best, { strategy = STRATEGY_NAMES[strategy], candidatesConsidered = considered,
    winningScore = bestScore, tieBreak = "priority, then enqueue order across team queues" }
end

-- Offers sessions to the rep while he has free capacity; returns the offered session ids.
local function matchRep(r, now, trigger)
  local offered = {}
  while hasFreeCapacity(r) and #offered < r.cap do
    local s, decision = bestSessionForRep(r, false)
    if not s then break end
    decision.trigger = trigger
    offerSession(s, r, now, decision)
    offered[#offered + 1] = s.id
  end
  return offered
end
