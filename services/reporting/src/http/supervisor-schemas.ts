import { idField } from "@handoff/runtime/fields";
import { z } from "zod";

const REP_STATES = ["REP_STATE_AVAILABLE", "REP_STATE_AWAY", "REP_STATE_BUSY", "REP_STATE_OFFLINE"] as const;

const queueRef = z
  .object({ kind: z.enum(["team", "rep"]), id: z.string() })
  .meta({ id: "QueueRef", description: "A team queue or a rep's personal queue." });

export const queuesQuery = z.strictObject({
  team: idField.optional().meta({ description: "Only this team's queue." }),
});

export const queuesResponse = z
  .object({
    atMs: z.number().int().meta({ description: "When these figures were read (ms since the epoch)." }),
    queues: z.array(
      z
        .object({
          queue: queueRef,
          waiting: z.number().int(),
          longestWaitMs: z.number().int().nullable().meta({ description: "null when nothing waits." }),
          ewtP50Ms: z
            .number()
            .int()
            .nullable()
            .meta({ description: "The latest known estimate shown to a waiting customer of the queue." }),
          reps: z
            .object({
              available: z.number().int(),
              busy: z.number().int(),
              away: z.number().int(),
              onSession: z.number().int().meta({ description: "Holding at least one accepted session." }),
            })
            .nullable()
            .meta({ description: "Logged-in reps of the team by state; null for a personal queue." }),
        })
        .meta({ id: "QueueNow" }),
    ),
  })
  .meta({ id: "QueuesNow" });

export const repsQuery = z.strictObject({
  team: idField.optional().meta({ description: "Only reps logged in to this team." }),
  state: z.enum(REP_STATES).optional(),
});

export const repsResponse = z
  .object({
    atMs: z.number().int(),
    reps: z.array(
      z
        .object({
          repId: z.string(),
          state: z.enum(REP_STATES),
          reasonCode: z.string(),
          sinceMs: z.number().int(),
          teamIds: z.array(z.string()),
          load: z.number().int().meta({ description: "Accepted sessions he holds now." }),
        })
        .meta({ id: "RepNow" }),
    ),
  })
  .meta({ id: "RepsNow" });
