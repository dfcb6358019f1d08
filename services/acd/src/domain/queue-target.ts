/** Where a session waits: a team queue, or one rep's personal queue (rep link, session key). */
export interface QueueTarget {
  kind: "team" | "rep";
  id: string;
}
