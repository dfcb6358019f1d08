import type { ApiOperation } from "@handoff/runtime";
import { z } from "zod";
import { answerThresholdOverride, shortAbandonOverride, timeZoneOverride } from "./supervisor-schemas";

export const supervisorStreamQuery = z.strictObject({
  timeZone: timeZoneOverride("The day's figures run from local midnight in this IANA time zone."),
  answerThresholdS: answerThresholdOverride,
  shortAbandonS: shortAbandonOverride,
});

/** `Last-Event-ID` as a reconnecting client sends it: the time of the last snapshot it got. */
export const lastEventIdHeader = z
  .string()
  .regex(/^\d{1,15}$/, "must be the id of a frame of this stream")
  .optional();

/** The live stream, which is no JSON operation: documented here, served by supervisor-stream.ts. */
export const SUPERVISOR_STREAM_OPERATION: ApiOperation = {
  method: "get",
  path: "/v1/supervisor/stream",
  operationId: "streamSupervisorSnapshots",
  summary:
    "The site's live picture (text/event-stream): `snapshot` frames {atMs, settings, queues, reps, day} as in " +
    "/queues and /reps, plus the day's service level per team and per interval; pushed when ingestion " +
    "changes the site, at most 4 a second, with heartbeat comments. Each frame is whole; its id is its atMs.",
  tag: "real time",
  query: supervisorStreamQuery,
  headers: [
    {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      description: "The id of the last frame received; a reconnection always starts with a fresh snapshot.",
      schema: { type: "string", pattern: "^[0-9]{1,15}$" },
    },
  ],
  status: 200,
  errors: [],
};
