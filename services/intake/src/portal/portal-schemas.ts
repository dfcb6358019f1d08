import { displayNameField, idField, textField } from "@handoff/runtime/fields";
import { z } from "zod";
import { CLIENT_MODES } from "../domain/portal-config";

/** Bounds of what a customer types (the broker checks the same ones). */
export const CUSTOMER_LIMITS = {
  name: 200,
  company: 200,
  companyCode: 64,
  email: 320,
  description: 4_000,
  locale: 35,
} as const;
export const MAX_IDENTITY_TOKEN = 4_096;
export const MAX_CHAT_TEXT = 4_000;
export const MAX_SURVEY_COMMENT = 2_000;
/** A file the customer asks to send (the broker checks the same bounds). */
export const FILE_SEND_LIMITS = { fileName: 255, sizeBytes: 10 * 1024 ** 3 } as const;
export const START_METHODS = ["rep_list", "issue", "session_key", "invitation_link"] as const;
export const PERMISSIONS = ["view", "control", "file_transfer", "elevation"] as const;
export const SESSION_STATES = ["created", "waiting", "offered", "active", "ended", "abandoned"] as const;

/**
 * A start's Idempotency-Key header: one per start the customer means, reused on its retries. 16
 * characters at least, as a retry with it answers the session's customer token (a UUID fits).
 */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,64}$/;
export const IDEMPOTENCY_KEY_PROBLEM = "must be 16 to 64 characters of A-Z a-z 0-9 _ -";

export const sitePath = z.strictObject({ siteId: idField });
export const sessionPath = z.strictObject({ siteId: idField, sessionId: idField });
export const permissionRequestPath = z.strictObject({ siteId: idField, sessionId: idField, requestId: idField });

const instant = z.iso.datetime().meta({ description: "An ISO 8601 instant (UTC)." });

export const customerInput = z
  .strictObject({
    name: displayNameField(CUSTOMER_LIMITS.name, 0).optional(),
    company: displayNameField(CUSTOMER_LIMITS.company, 0).optional(),
    companyCode: textField(CUSTOMER_LIMITS.companyCode).optional(),
    email: z
      .string()
      .max(CUSTOMER_LIMITS.email, `at most ${CUSTOMER_LIMITS.email} characters`)
      .regex(/^([^\s@]+@[^\s@]+\.[^\s@]+)?$/, "is not an e-mail address")
      .optional(),
    description: textField(CUSTOMER_LIMITS.description).optional(),
    locale: z
      .string()
      .max(CUSTOMER_LIMITS.locale)
      .regex(/^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$/, "must be a BCP 47 language tag such as en-US")
      .optional(),
  })
  .meta({ id: "CustomerInput" });

export const startSessionBody = z
  .strictObject({
    method: z.enum(START_METHODS),
    mode: z.enum(CLIENT_MODES).optional().meta({ description: "The client mode; the portal's default when left out." }),
    repId: idField.optional().meta({ description: "For rep_list: a rep of the portal's list." }),
    problemTypeId: idField.optional().meta({ description: "For issue: one of the portal's problem types." }),
    sessionKey: z
      .string()
      .max(64)
      .regex(/^[0-9A-Za-z -]*$/, "may hold only letters, digits, spaces and dashes")
      .optional()
      .meta({ description: "For session_key: as the rep read it out (dashes and spaces are ignored)." }),
    invitationToken: z
      .string()
      .max(256)
      .regex(/^[0-9A-Za-z_-]*$/, "is not an invitation token")
      .optional()
      .meta({ description: "For invitation_link: the token from the link." }),
    customer: customerInput.default({}),
    identityToken: z
      .string()
      .max(MAX_IDENTITY_TOKEN, `at most ${MAX_IDENTITY_TOKEN} characters`)
      .optional()
      .meta({ description: "The host site's signed JWT vouching for the customer (verified identity)." }),
    queueAfterClosing: z
      .boolean()
      .default(false)
      .meta({ description: "He was told (CLOSING_SOON) that his wait ends after closing and queues anyway." }),
    consent: z.strictObject({
      agreementAccepted: z.literal(true, { error: "must be true: the customer accepts the agreement first" }),
      agreementVersion: z.string().max(40).default("").meta({ description: "The version of the text he accepted." }),
      recordingAllowed: z.boolean(),
    }),
  })
  .superRefine((body, ctx) => {
    const needs = {
      rep_list: "repId",
      issue: "problemTypeId",
      session_key: "sessionKey",
      invitation_link: "invitationToken",
    } as const;
    const field = needs[body.method];
    if (!body[field]) ctx.addIssue({ code: "custom", path: [field], message: `is required for ${body.method}` });
  })
  .meta({ id: "StartSession" });

export const waitEstimate = z
  .object({
    p50Ms: z.number().int(),
    p90Ms: z.number().int(),
    known: z.boolean().meta({ description: "False when there is not enough history or no rep serves the queue." }),
  })
  .meta({ id: "WaitEstimate" });

export const queuePosition = z
  .object({
    position: z.number().int().meta({ description: "1-based; 0 when not waiting." }),
    queueLength: z.number().int(),
    estimate: waitEstimate,
  })
  .meta({ id: "QueuePosition" });

export const sessionStatus = z
  .object({
    sessionId: z.string(),
    state: z.enum(SESSION_STATES),
    repId: z.string().nullable().meta({ description: "The primary rep while active." }),
    position: queuePosition,
    endReason: z.string().nullable(),
    granted: z.array(z.object({ permission: z.enum(PERMISSIONS), application: z.string() })),
    lastSequence: z.number().int().meta({ description: "The sequence of the session's last event." }),
    keepPlace: z
      .object({
        away: z.boolean().meta({ description: "He left the page keeping his place; no rep is offered it meanwhile." }),
        returnBy: instant.nullable().meta({ description: "Once called back: be back by then, or it is abandoned." }),
      })
      .meta({ id: "KeepPlaceStatus" }),
  })
  .meta({ id: "SessionStatus" });

export const startedSession = sessionStatus
  .extend({
    customerToken: z
      .string()
      .meta({ description: "Shown once: send it as `Authorization: Bearer` on every later call." }),
    mode: z.enum(CLIENT_MODES),
    noRepAvailable: z
      .boolean()
      .meta({ description: "No eligible rep is logged in, or the queue is full: tell the customer at once." }),
    fallbackUrl: z.string().nullable(),
    closing: z.object({
      waitEndsAfterClosing: z.boolean().meta({ description: "The P90 wait ends once the portal has closed." }),
      closesAt: instant.nullable(),
    }),
    verifiedFields: z.array(z.string()),
  })
  .meta({ id: "StartedSession" });

export const portalView = z
  .object({
    siteId: z.string(),
    configVersion: z.number().int(),
    open: z.boolean(),
    opensAt: instant.nullable().meta({ description: "When closed: the next opening (null: none within a year)." }),
    closesAt: instant.nullable().meta({ description: "When open: when it closes (null: not within a year)." }),
    startMethods: z.object({
      repList: z.boolean(),
      issue: z.boolean(),
      sessionKey: z.boolean(),
      invitationLink: z.boolean(),
      modes: z.array(z.enum(CLIENT_MODES)).meta({ description: "The first is the default." }),
    }),
    problemTypes: z.array(z.object({ id: z.string(), label: z.string() })),
    reps: z.array(z.object({ repId: z.string(), displayName: z.string() })),
    notices: z.array(z.object({ id: z.string(), text: z.string() })),
    agreement: z.object({ text: z.string(), version: z.string() }).nullable(),
    recordingPrompt: z.string().nullable(),
    fallbackUrl: z.string().nullable(),
    keepPlace: z
      .object({ callAtPosition: z.number().int(), returnWithinSeconds: z.number().int() })
      .nullable()
      .meta({ description: "Whether a waiting customer may leave the page keeping his place (null: not offered)." }),
  })
  .meta({ id: "PortalView" });

export const chatBody = z.strictObject({ text: textField(MAX_CHAT_TEXT, 1) });
export const sequenceResponse = z.object({ sequence: z.number().int() });
export const permissionAnswerBody = z.strictObject({ granted: z.boolean() });
export const fileSendBody = z.strictObject({
  fileName: displayNameField(FILE_SEND_LIMITS.fileName).meta({
    description: "The file's bare name: one line, no path separators, control or bidi-override characters.",
  }),
  sizeBytes: z
    .number()
    .int()
    .min(1)
    .max(FILE_SEND_LIMITS.sizeBytes)
    .meta({ description: "As the browser reports it." }),
});
export const fileSendResponse = z.object({
  requestId: z.string().meta({ description: "The rep's answer comes on the live stream (`file` event)." }),
});
export const revokeBody = z.strictObject({
  permission: z.enum([...PERMISSIONS, "all"]).meta({ description: "all: stop sharing everything." }),
  application: z.string().max(200).default("").meta({ description: "Empty for the whole desktop." }),
});
export const grantsResponse = z.object({
  granted: z.array(z.object({ permission: z.enum(PERMISSIONS), application: z.string() })),
});
export const endBody = z.strictObject({
  reason: z
    .enum(["left", "notice"])
    .default("left")
    .meta({ description: "notice: he left from a notice (no exit survey)." }),
});
export const awayBody = z.strictObject({
  away: z.boolean().meta({ description: "true: he leaves the page keeping his place; false: he is back." }),
});
export const resumeBody = z.strictObject({
  resumeToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,128}$/, "is not a resume token")
    .meta({ description: "The one-time token of the resume link (after the session id and a dot)." }),
});
export const resumedSession = sessionStatus
  .extend({
    customerToken: z
      .string()
      .meta({ description: "A new token for the session (the one before stops working); as on start." }),
  })
  .meta({ id: "ResumedSession" });
export const surveyBody = z.strictObject({
  satisfaction: z.number().int("must be a whole number").min(1, "from 1 to 5").max(5, "from 1 to 5"),
  comment: textField(MAX_SURVEY_COMMENT).default(""),
});
