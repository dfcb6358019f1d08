/** Negative codes presence's Lua functions return; generated into the library's constants (presence-library.ts). */
export const NOT_LOGGED_IN = -1;
export const CAPACITY_TOO_HIGH = -2;
export const UNKNOWN_REP = -3;
export const TOO_MANY_CONNECTIONS = -4;
