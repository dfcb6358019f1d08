/** Where a session waits: a team queue or one rep's personal queue. */
export interface QueueTargetValue {
  kind: "team" | "rep";
  id: string;
}

export const teamQueue = (id: string): QueueTargetValue => ({ kind: "team", id });
export const repQueue = (id: string): QueueTargetValue => ({ kind: "rep", id });
