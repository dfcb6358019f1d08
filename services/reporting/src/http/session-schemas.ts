import { idField } from "@handoff/runtime/fields";
import { z } from "zod";
import { SESSION_OUTCOMES, type SessionListPlace } from "../store/session-list-reader";
import { formatField, instant, MAX_RANGE_MS, queueRef } from "./supervisor-schemas";

export const MAX_PAGE_SIZE = 500;

/** A page's end as an opaque token: base64url of `[startedAtMs, sessionId]`. */
export const encodeCursor = (place: SessionListPlace): string =>
  Buffer.from(JSON.stringify([place.startedAtMs, place.sessionId])).toString("base64url");

const cursorField = z
  .string()
  .max(256)
  .transform((value, ctx): SessionListPlace => {
    try {
      const [startedAtMs, sessionId] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown[];
      if (Number.isSafeInteger(startedAtMs) && idField.safeParse(sessionId).success)
        return { startedAtMs: startedAtMs as number, sessionId: sessionId as string };
    } catch {
      // Not JSON: reported below like any other malformed cursor.
    }
    ctx.issues.push({ code: "custom", message: "is not a cursor this API gave", input: value });
    return z.NEVER;
  })
  .meta({ description: "`nextCursor` of the previous page." });

const outcome = z.enum(SESSION_OUTCOMES).meta({
  description:
    "answered: a rep accepted it; abandoned: the customer left before; unanswered: it ended otherwise " +
    "(no rep, portal closed...); waiting: none of these yet.",
});

export const sessionsQuery = z
  .strictObject({
    from: instant,
    to: instant,
    team: idField.optional().meta({ description: "Only sessions that waited in this team's queue." }),
    rep: idField.optional().meta({ description: "Only sessions this rep handled." }),
    outcome: outcome.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100).meta({ description: "Page size." }),
    cursor: cursorField.optional(),
    format: formatField,
  })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { path: ["to"], message: "at most 31 days after from" });

const msOrNull = z.number().int().nullable();
const textOrNull = z.string().nullable();

export const sessionListItemSchema = z
  .object({
    sessionId: z.string(),
    startedAtMs: z.number().int().meta({ description: "Created by the broker (or queued by the acd without it)." }),
    startMethod: textOrNull,
    problemTypeId: textOrNull,
    outcome,
    queuedAtMs: msOrNull,
    answeredAtMs: msOrNull,
    abandonedAtMs: msOrNull,
    abandonReason: textOrNull,
    endedAtMs: msOrNull,
    endReason: textOrNull,
    teamIds: z.array(z.string()).meta({ description: "Team queues it waited in, in order." }),
    repIds: z.array(z.string()).meta({ description: "Reps who handled it, in order." }),
    transfers: z.number().int(),
    offers: z.number().int(),
    satisfaction: z.number().int().nullable().meta({ description: "The customer's latest survey answer." }),
  })
  .meta({ id: "SessionListItem" });

export const sessionsResponse = z
  .object({
    sessions: z.array(sessionListItemSchema).meta({ description: "Newest first." }),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last." }),
  })
  .meta({ id: "SessionList" });

export const sessionReportParams = z.strictObject({ sessionId: idField });
export const sessionReportQuery = z.strictObject({});

const actor = z
  .object({ kind: z.enum(["customer", "rep", "supervisor", "system"]), id: textOrNull })
  .meta({ id: "ReportActor", description: "Who acted: reps and supervisors by id." });

const sessionSummary = z.object({
  createdAtMs: msOrNull,
  startMethod: textOrNull,
  problemTypeId: textOrNull,
  clientMode: textOrNull,
  queuedAtMs: msOrNull,
  firstOfferedAtMs: msOrNull,
  answeredAtMs: msOrNull,
  abandonedAtMs: msOrNull,
  abandonReason: textOrNull,
  endedAtMs: msOrNull,
  endReason: textOrNull,
  finalState: textOrNull,
  transfers: z.number().int(),
  offers: z.number().int(),
});

export const sessionReportResponse = z
  .object({
    sessionId: z.string(),
    truncated: z.boolean().meta({ description: "The session has more events than a report reads (20,000)." }),
    summary: sessionSummary,
    customer: z
      .object({
        name: z.string(),
        company: z.string(),
        email: z.string(),
        description: z.string(),
        locale: z.string(),
        companyCode: z.string(),
        verifiedFields: z.array(z.string()),
      })
      .nullable(),
    queueEntries: z.array(
      z.object({
        entryNo: z.number().int(),
        queue: queueRef,
        cause: z.enum(["queued", "transferred", "rebuilt"]),
        enteredAtMs: z.number().int(),
        waitStartedAtMs: z.number().int(),
        priority: z.number().int(),
        outcome: z.enum(["answered", "abandoned", "requeued"]).nullable(),
        endedAtMs: msOrNull,
        waitMs: msOrNull,
        answeredByRepId: textOrNull,
        abandonReason: textOrNull,
        acdWaitedMs: msOrNull,
      }),
    ),
    offers: z
      .array(
        z.object({
          epoch: z.number().int(),
          repId: z.string(),
          fromQueue: queueRef.nullable(),
          offeredAtMs: z.number().int(),
          expiresAtMs: z.number().int(),
          outcome: z.enum(["accepted", "rejected", "expired", "withdrawn", "abandoned", "requeued", "pending"]),
          endedAtMs: msOrNull,
          reason: textOrNull.meta({ description: "The acd's abandon reason when the customer's leaving ended it." }),
          decision: z
            .object({
              strategy: z.string(),
              trigger: z.string(),
              candidatesConsidered: z.number().int(),
              winningScore: z.number(),
              tieBreak: z.string(),
            })
            .meta({ description: "The acd's decision record, as published with the offer." }),
        }),
      )
      .meta({ description: "Every offer (reservation of a rep), by fencing token." }),
    handledParts: z.array(
      z.object({
        partNo: z.number().int(),
        repId: z.string(),
        entryNo: z.number().int().nullable(),
        acceptedAtMs: z.number().int(),
        endedAtMs: msOrNull,
        endCause: z.enum(["ended", "transferred", "requeued"]).nullable(),
        acdHandleMs: msOrNull,
      }),
    ),
    transfers: z.array(
      z.object({
        atMs: z.number().int(),
        fromRepId: textOrNull,
        to: queueRef.nullable(),
        priority: z.number().int(),
        answeredByRepId: textOrNull,
      }),
    ),
    participants: z.array(
      z.object({
        repId: z.string(),
        primary: z.boolean(),
        joinedAtMs: z.number().int(),
        leftAtMs: msOrNull,
        leftReason: textOrNull,
      }),
    ),
    consent: z.array(
      z.object({
        atMs: z.number().int(),
        agreementAccepted: z.boolean(),
        agreementVersion: z.string(),
        recordingAllowed: z.boolean(),
        accessLinkAllowed: z.boolean(),
      }),
    ),
    permissions: z.array(
      z.object({
        atMs: z.number().int(),
        permission: z.string(),
        application: z.string(),
        change: z.string().meta({ description: "PERMISSION_CHANGE_REQUESTED, _GRANTED, _DENIED or _REVOKED." }),
        actor,
        requestId: z.string(),
      }),
    ),
    notes: z.array(z.object({ atMs: z.number().int(), repId: z.string(), text: z.string() })),
    chat: z.array(z.object({ atMs: z.number().int(), from: actor, text: z.string() })),
    customerSurveys: z.array(z.object({ atMs: z.number().int(), satisfaction: z.number().int(), comment: z.string() })),
    repSurveys: z.array(
      z.object({ atMs: z.number().int(), repId: z.string(), resolutionCode: z.string(), comment: z.string() }),
    ),
    timeline: z
      .array(
        z
          .object({
            atMs: z.number().int(),
            source: z.enum(["acd", "broker"]),
            type: z.string().meta({ description: "The event, e.g. OfferCreated, ChatMessageSent." }),
            actor,
            eventId: z.string(),
            details: z.record(z.string(), z.unknown()).meta({ description: "The event's payload as published." }),
          })
          .meta({ id: "TimelineItem" }),
      )
      .meta({ description: "Every event of the session in order: each producer's own order, merged by time." }),
  })
  .meta({ id: "SessionReport" });
