/** Session states as the library stores them (one letter keeps the hashes small); generated into its constants. */
export const SESSION_STATES = {
  w: "waiting",
  o: "offered",
  a: "active",
  e: "ended",
  x: "abandoned",
} as const;

export type SessionStateName = (typeof SESSION_STATES)[keyof typeof SESSION_STATES];

export function sessionStateName(code: string): SessionStateName {
  const name = SESSION_STATES[code as keyof typeof SESSION_STATES];
  if (!name) throw new Error(`unknown session state code ${code}`);
  return name;
}
