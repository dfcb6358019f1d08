/** Negative codes the presence Lua scripts return (scripts/includes/common.lua). */
export const NOT_LOGGED_IN = -1;
export const CAPACITY_TOO_HIGH = -2;
export const UNKNOWN_REP = -3;
export const TOO_MANY_CONNECTIONS = -4;
