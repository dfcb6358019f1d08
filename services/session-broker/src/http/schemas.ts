import { idField, textField } from "@handoff/runtime/fields";
import { z } from "zod";
import { REQUESTED_TTL_BOUNDS } from "../domain/credential-policy";
import { CUSTOMER_LIMITS, MAX_TEXT, VERIFIABLE_FIELDS } from "../grpc/requests";

/**
 * The agent API's request and response shapes: the one source of its validation and of its OpenAPI
 * document (openapi.json). Bounds are the gRPC adapter's (same constants) so both doors agree. A
 * schema with `meta({ id })` becomes a named component of the document.
 */

export const id = idField;
const text = textField;

/** Chat and note text: 1..4,000 characters, not only blanks. */
const message = text(MAX_TEXT, 1).refine((value) => value.trim().length > 0, "must not be blank");

const ttlMs = (kind: keyof typeof REQUESTED_TTL_BOUNDS) => {
  const [min, max] = REQUESTED_TTL_BOUNDS[kind];
  return z
    .number()
    .int()
    .min(min, `from ${min} to ${max} ms (leave out for the site's default)`)
    .max(max, `from ${min} to ${max} ms (leave out for the site's default)`)
    .optional()
    .meta({ description: "How long it stays valid; the site's default when left out." });
};

const epoch = z.number().int("must be an integer").min(1, "must be at least 1").meta({
  description: "The offer's fencing token, as the offer carried it.",
});

/** A team's queue or a rep's personal queue: exactly one of the two. */
export const queueTarget = z
  .strictObject({ teamId: id.optional(), repId: id.optional() })
  .refine((t) => (t.teamId === undefined) !== (t.repId === undefined), "give exactly one of teamId and repId")
  .meta({ id: "QueueTarget", description: "A team (teamId) or a rep (repId)." });

// Path parameters.
export const repPath = z.strictObject({ repId: id });
export const sessionPath = z.strictObject({ sessionId: id });
export const invitationPath = z.strictObject({ sessionId: id, invitationId: id });
export const fileSendPath = z.strictObject({ sessionId: id, requestId: id });

// Request bodies.
export const loginBody = z.strictObject({
  teamIds: z.array(id).min(1, "must name at least one team").max(50, "at most 50 teams"),
  connectionId: id.meta({
    description: "The desktop connection this login comes from; keep it alive with heartbeats.",
  }),
});
export const heartbeatBody = z.strictObject({ connectionId: id });
export const REP_STATES = ["available", "away", "busy", "offline"] as const;
export const stateBody = z.strictObject({
  state: z.enum(REP_STATES),
  reason: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, "1 to 40 of a-z, 0-9 and -, e.g. lunch")
    .optional()
    .meta({ description: "Why the rep is away (break, lunch, training...); only for away." }),
});
export const capacityBody = z
  .strictObject({
    mode: z.enum(["single", "multi"]),
    sessions: z
      .number()
      .int("must be an integer")
      .min(2, "must be at least 2 in multi-session mode")
      .max(100, "at most 100 (the site may allow fewer)")
      .optional()
      .meta({ description: "How many sessions at once in multi-session mode (required there)." }),
    skills: z
      .array(id)
      .max(32, "at most 32 skills")
      .optional()
      .meta({ description: "Kept as they are when left out." }),
  })
  .superRefine((body, ctx) => {
    if (body.mode === "multi" && body.sessions === undefined)
      ctx.addIssue({ code: "custom", path: ["sessions"], message: "is required in multi-session mode" });
    if (body.mode === "single" && body.sessions !== undefined)
      ctx.addIssue({ code: "custom", path: ["sessions"], message: "is only for multi-session mode" });
  });
export const offerBody = z.strictObject({ epoch });
export const transferBody = z.strictObject({ target: queueTarget });
export const inviteBody = z.strictObject({ invitee: queueTarget });
export const answerInvitationBody = z.strictObject({ accepted: z.boolean() });
export const answerFileSendBody = z.strictObject({ allowed: z.boolean() });
export const handOverBody = z.strictObject({ toRepId: id });
export const END_REASONS = ["resolved", "ended_by_rep"] as const;
export const endBody = z.strictObject({ reason: z.enum(END_REASONS).optional() });
export const PERMISSIONS = ["view", "control", "file_transfer", "elevation"] as const;
export const permissionBody = z.strictObject({
  permission: z.enum(PERMISSIONS),
  application: text(200).optional().meta({ description: "For control or view of one application only." }),
});
export const textBody = z.strictObject({ text: message });
export const repSurveyBody = z.strictObject({ resolutionCode: text(100, 1), comment: text(MAX_TEXT).optional() });
export const sessionKeyBody = z.strictObject({
  target: queueTarget.optional().meta({ description: "Where the session goes; the rep's own queue when left out." }),
  ttlMs: ttlMs("session_key"),
});
export const invitationBody = z
  .strictObject({
    channel: z.enum(["email", "chat", "phone"]),
    customerAddress: text(CUSTOMER_LIMITS.email).optional(),
    customerName: text(CUSTOMER_LIMITS.name).optional(),
    ttlMs: ttlMs("invitation"),
  })
  .superRefine((body, ctx) => {
    if (body.channel !== "email") return;
    if (!body.customerAddress || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.customerAddress))
      ctx.addIssue({ code: "custom", path: ["customerAddress"], message: "an e-mail address is required for email" });
  });
export const emptyBody = z.strictObject({});

// Responses.
const waitEstimate = z.object({ known: z.boolean(), p50Ms: z.number(), p90Ms: z.number() });
export const queuePosition = z
  .object({ position: z.number().int(), queueLength: z.number().int(), estimate: waitEstimate })
  .meta({ id: "QueuePosition", description: "1-based place in its queue and the wait estimate." });

export const sessionView = z
  .object({
    sessionId: z.string(),
    state: z.enum(["created", "waiting", "offered", "active", "ended", "abandoned"]),
    startMethod: z.enum(["rep_list", "issue_submission", "session_key", "invitation_link"]),
    clientMode: z.enum(["click_to_chat", "full_client"]).nullable().meta({
      description:
        "How the customer runs his side: chat in the browser, or the full client (screen sharing, files). null for sessions from before it was recorded.",
    }),
    target: z.object({ kind: z.enum(["team", "rep"]), id: z.string() }).nullable(),
    problemTypeId: z.string(),
    priority: z.number().int(),
    customer: z.object({
      name: z.string(),
      company: z.string(),
      email: z.string(),
      description: z.string(),
      locale: z.string(),
      companyCode: z.string(),
      verifiedFields: z.array(z.string()).meta({
        description: `Fields the host site vouched for with a signed identity token (${VERIFIABLE_FIELDS.join(", ")}): show them as verified.`,
      }),
    }),
    repId: z.string().nullable().meta({ description: "The primary rep while active; the offered rep while offered." }),
    epoch: z.number().int(),
    offerExpiresAtMs: z.number().nullable(),
    participants: z.array(
      z.object({ repId: z.string(), primary: z.boolean(), joinedAtMs: z.number(), disconnected: z.boolean() }),
    ),
    granted: z.array(z.object({ permission: z.enum(PERMISSIONS), application: z.string(), grantedAtMs: z.number() })),
    createdAtMs: z.number(),
    enqueuedAtMs: z.number(),
    endedAtMs: z.number().nullable(),
    endReason: z.string().nullable(),
    lastSequence: z.number().int(),
  })
  .meta({ id: "Session" });

export const sessionResponse = z.object({ session: sessionView });
export const sessionWithPosition = z.object({ session: sessionView, position: queuePosition.nullable() });
export const maybeSessionResponse = z.object({
  session: sessionView.nullable().meta({ description: "null when no session was waiting." }),
});
export const sessionsResponse = z.object({ sessions: z.array(sessionView) });
export const positionResponse = z.object({ position: queuePosition.nullable() });
export const sequenceResponse = z.object({ sequence: z.number().int() });
export const invitationIdResponse = z.object({ invitationId: z.string() });
export const requestIdResponse = z.object({ requestId: z.string() });
export const heartbeatResponse = z.object({ nextDeadlineMs: z.number() });

export const repPresence = z
  .object({
    repId: z.string(),
    state: z.enum([...REP_STATES, "unknown"]),
    reason: z.string(),
    teamIds: z.array(z.string()),
    capacity: z.number().int(),
    skills: z.array(z.string()),
    liveConnections: z.number().int(),
    load: z.number().int().meta({ description: "Offered plus active sessions." }),
    stateSinceMs: z.number(),
  })
  .meta({ id: "RepPresence" });
export const repResponse = z.object({ rep: repPresence.nullable() });

export const queuedSession = z.object({
  sessionId: z.string(),
  target: z.object({ kind: z.enum(["team", "rep"]), id: z.string() }),
  problemTypeId: z.string(),
  priority: z.number().int(),
  customerName: z.string(),
  enqueuedAtMs: z.number(),
  waitingMs: z.number(),
  position: queuePosition.nullable().meta({ description: "null when the acd did not answer for it." }),
});
export const queuesResponse = z.object({
  queues: z.array(
    z.object({
      target: z.object({ kind: z.enum(["team", "rep"]), id: z.string() }),
      waiting: z.array(queuedSession),
      truncated: z.boolean().meta({ description: "More sessions wait than the answer holds." }),
    }),
  ),
});
export const sessionKeyResponse = z.object({ sessionKey: z.string(), displayKey: z.string(), expiresAtMs: z.number() });
export const invitationResponse = z.object({
  invitationId: z.string(),
  token: z.string(),
  url: z.string(),
  expiresAtMs: z.number(),
});
