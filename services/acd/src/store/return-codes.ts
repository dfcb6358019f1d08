/** Negative codes the Lua functions return; the library's constants module is generated from these (routing-library.ts). */
export const SESSION_NOT_FOUND = -1;
export const SESSION_EXISTS = -2;
export const WRONG_STATE = -3;
export const STALE_EPOCH = -4;
export const WRONG_REP = -5;
export const UNKNOWN_TEAM = -6;
export const UNKNOWN_PROBLEM_TYPE = -7;
export const NO_CONFIG = -8;
export const TEAM_IN_USE = -9;
export const UNKNOWN_REP = -10;
export const TRANSFER_TO_SELF = -11;
export const OFFER_EXPIRED = -12;
export const QUEUE_FULL = -13;
export const VERSION_STEP = -14;
export const SITE_IN_USE = -15;
