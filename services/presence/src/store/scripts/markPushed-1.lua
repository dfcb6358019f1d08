--[[
  markPushed: the acd acknowledged this version; the rep is clean unless a newer change came since.

  KEYS[1] tenant prefix "hp:{site}:"
  ARGV[1] rep id   ARGV[2] version the acd holds

  Output: { 1 when clean now, else 0 }
]]
--- @include "includes/common"

if tonumber(rcall("HGET", P .. "rep:" .. ARGV[1], "ver") or "0") <= tonumber(ARGV[2]) then
  rcall("ZREM", P .. "dirty", ARGV[1])
  return { 1 }
end
return { 0 }
