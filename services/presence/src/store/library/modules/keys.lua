--- @module keys
--- @uses tenant
-- Every key and member encoding of presence's Redis data (store/keys.ts builds the same names on the
-- Node side). Keys live under the tenant prefix (tenant.P, "hp:{site}:").
local M = {}

function M.rep(id) return tenant.P .. "rep:" .. id end
-- A rep's live connections: connection id → heartbeat deadline (ms).
function M.conns(id) return tenant.P .. "conns:" .. id end
function M.team(id) return tenant.P .. "team:" .. id end
-- Every rep presence knows of the site.
function M.reps() return tenant.P .. "reps" end
-- Reps whose latest version may not have reached the acd, by the time they became dirty.
function M.dirty() return tenant.P .. "dirty" end
-- Heartbeat deadlines: M.heartbeatMember(rep, conn) by deadline.
function M.heartbeats() return tenant.P .. "hb" end

function M.heartbeatMember(rep, conn) return rep .. "|" .. conn end
-- rep id, connection id.
function M.parseHeartbeatMember(member) return string.match(member, "^(.-)|(.+)$") end

return M
