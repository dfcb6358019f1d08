-- Matching. Work-conserving: called after every transition that adds a waiting session or free
-- capacity. matchSession finds the best rep for one session; matchRep the best sessions for one rep.

-- The best eligible rep of a team's index for the session.
local function bestRepInTeam(team, s)
  local strategy = teamStrategy(team)
  if not strategy or strategy == "mn" then return nil end
  local heads = rcall("ZRANGE", P .. "ix:" .. team, 0, SCAN - 1, "WITHSCORES")
  for i = 1, #heads, 2 do
    local r = readRep(heads[i])
    if eligible(r, s) then
      local tie = "lowest score in index order"
      if heads[i + 2] and heads[i + 3] == heads[i + 1] then tie = "equal score: rep id order" end
      return r, { strategy = STRATEGY_NAMES[strategy], candidatesConsidered = (i + 1) / 2,
        winningScore = tonumber(heads[i + 1]), tieBreak = tie }
    end
  end
  return nil
end

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
      offerSession(s, r, now, decision)
      return r.id
    end
  end
  return nil
end

-- The first session among a queue's heads that the rep may take.
local function firstEligibleIn(q, r)
  local heads = rcall("ZRANGE", queueKey(q), 0, SCAN - 1, "WITHSCORES")
  for i = 1, #heads, 2 do
    local s = readSession(string.sub(heads[i], 19))
    if s and s.st == "w" and hasAll(r.sk, s.sk) and not rejectedBy(s, r.id) then
      return s, tonumber(heads[i + 1]), heads[i], (i + 1) / 2
    end
  end
  return nil
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
