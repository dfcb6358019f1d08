/**
 * A site's portal config as its admin writes it: validated whole, each problem naming its field
 * (`notices.3.text`). Routing (teams, which team a problem type goes to) is the acd's config; here are
 * only what the customer sees and may do.
 *
 * - `startMethods`: which ways to start a session the portal offers, and the client modes a customer
 *   may choose (the first is the default). Session keys and invitation links of reps work regardless
 *   of the portal's hours; invitation links always work.
 * - `problemTypes`: the acd problem types the issue form shows, in this order.
 * - `agreement`: the text a customer accepts before he queues, with a version recorded on the session;
 *   its text cannot change under the same version (portal-config-change.ts).
 * - `recordingPrompt`: when present, the customer allows or denies recording before he queues.
 * - `messages`: greeting and hold message templates (message-template.ts), and how often the hold
 *   message repeats.
 * - `notices`: at most 10, each shown automatically in its active window or pushed by a supervisor.
 * - `schedule`: business hours (schedule-schema.ts); left out, the portal is always open.
 * - `fallbackUrl`: where a customer is sent when no rep can take him.
 * - `allowedOrigins`: the pages that may embed the portal, as exact origins.
 * - `identityKeys`: the site's JWKS for verified identity (identity-keys.ts).
 * - `reps`: who the rep list may show, in display order, by display name (only those logged in and
 *   available appear); left empty, every such rep is shown by his id.
 * - `reporting`: the site's time zone and service-level thresholds, as reporting follows them
 *   (site-settings.ts); left out, the defaults.
 * - `keepPlace`: whether a waiting customer may leave the page keeping his place (keep-place.ts).
 */
import { displayNameField, idField, textField } from "@handoff/runtime/fields";
import { z } from "zod";
import { identityKeySetSchema } from "./identity-keys";
import { keepPlaceSchema } from "./keep-place";
import { templateProblem } from "./message-template";
import { scheduleSchema } from "./schedule-schema";
import { reportingSettingsSchema, timeZoneProblem } from "./site-settings";
import { isExactOrigin, isWebAddress } from "./web-origin";

export const MAX_NOTICES = 10;
export const MAX_NOTICE_LENGTH = 1_020;
export const MAX_SHOWN_PROBLEM_TYPES = 100;
export const MAX_ALLOWED_ORIGINS = 50;
export const MAX_LISTED_REPS = 500;
export const MAX_AGREEMENT_LENGTH = 20_000;
export const MAX_PROMPT_LENGTH = 2_000;
export const MAX_TEMPLATE_LENGTH = 1_000;
export const HOLD_INTERVAL_BOUNDS_S = [15, 3_600] as const;
export const CLIENT_MODES = ["click_to_chat", "full_client"] as const;
export const NOTICE_DELIVERIES = ["automatic", "pushed"] as const;

/** A list whose entries must differ by `key`: the repeated one is named. */
const distinct =
  <T>(key: (item: T) => string, path: (i: number) => (string | number)[] = (i) => [i]) =>
  (items: readonly T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const value = key(item);
      if (seen.has(value)) ctx.addIssue({ code: "custom", path: path(i), message: `${value} is listed twice` });
      seen.add(value);
    });
  };

const template = textField(MAX_TEMPLATE_LENGTH, 1).superRefine((value, ctx) => {
  const problem = templateProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const startMethodsSchema = z
  .strictObject({
    repList: z.boolean().meta({ description: "Pick a rep from the list of those logged in." }),
    issueForm: z.boolean().meta({ description: "Describe the problem and choose its type." }),
    sessionKey: z.boolean().meta({ description: "Enter a key a rep gave (works when closed)." }),
    clientModes: z
      .array(z.enum(CLIENT_MODES))
      .min(1, "must allow at least one client mode")
      .max(CLIENT_MODES.length)
      .superRefine(distinct((mode) => mode))
      .meta({ description: "Client modes a customer may choose; the first is the default." }),
  })
  .meta({ id: "StartMethods" });

const agreementSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^[\w.:-]{1,40}$/, "must be 1 to 40 letters, digits and _ . : -")
      .meta({ description: "Recorded on each session whose customer accepted this text." }),
    text: textField(MAX_AGREEMENT_LENGTH, 1),
  })
  .meta({ id: "Agreement" });

const messagesSchema = z
  .strictObject({
    greeting: template.meta({
      description: "Shown when the customer joins the queue; may use {{position}} and {{estimatedWait}}.",
    }),
    hold: template.meta({ description: "Repeated while he waits; may use {{position}} and {{estimatedWait}}." }),
    holdIntervalSeconds: z
      .number()
      .int("must be a whole number of seconds")
      .min(HOLD_INTERVAL_BOUNDS_S[0], `from ${HOLD_INTERVAL_BOUNDS_S[0]} to ${HOLD_INTERVAL_BOUNDS_S[1]} seconds`)
      .max(HOLD_INTERVAL_BOUNDS_S[1], `from ${HOLD_INTERVAL_BOUNDS_S[0]} to ${HOLD_INTERVAL_BOUNDS_S[1]} seconds`),
  })
  .meta({ id: "Messages" });

const instant = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date and time with its offset" });

const noticeSchema = z
  .strictObject({
    id: idField,
    text: textField(MAX_NOTICE_LENGTH, 1),
    delivery: z.enum(NOTICE_DELIVERIES).meta({
      description:
        "automatic: shown to every customer in its window; pushed: sent by a supervisor to everyone waiting.",
    }),
    activeFrom: instant.optional(),
    activeUntil: instant.optional(),
  })
  .refine((n) => !n.activeFrom || !n.activeUntil || Date.parse(n.activeUntil) > Date.parse(n.activeFrom), {
    path: ["activeUntil"],
    message: "must be after activeFrom",
  })
  .meta({ id: "Notice" });

export const portalConfigSchema = z
  .strictObject({
    startMethods: startMethodsSchema,
    problemTypes: z
      .array(idField)
      .max(MAX_SHOWN_PROBLEM_TYPES)
      .superRefine(distinct((id) => id))
      .meta({ description: "The acd problem types the issue form offers, in this order." }),
    agreement: agreementSchema.optional(),
    recordingPrompt: z.strictObject({ text: textField(MAX_PROMPT_LENGTH, 1) }).optional(),
    messages: messagesSchema,
    notices: z
      .array(noticeSchema)
      .max(MAX_NOTICES, `at most ${MAX_NOTICES} notices`)
      .superRefine(
        distinct(
          (n) => n.id,
          (i) => [i, "id"],
        ),
      )
      .default([]),
    schedule: scheduleSchema.optional(),
    fallbackUrl: z
      .string()
      .max(2_000)
      .refine(isWebAddress, "must be an https address (http only on localhost)")
      .optional(),
    allowedOrigins: z
      .array(
        z
          .string()
          .max(300)
          .refine(isExactOrigin, "must be an exact origin such as https://www.example.com (no path, no wildcard)"),
      )
      .max(MAX_ALLOWED_ORIGINS)
      .superRefine(distinct((origin) => origin))
      .default([]),
    identityKeys: identityKeySetSchema.optional(),
    reps: z
      .array(z.strictObject({ repId: idField, displayName: displayNameField(100) }))
      .max(MAX_LISTED_REPS, `at most ${MAX_LISTED_REPS} reps`)
      .superRefine(
        distinct(
          (rep) => rep.repId,
          (i) => [i, "repId"],
        ),
      )
      .default([])
      .meta({ description: "The reps the portal's rep list may show, in display order, with their display names." }),
    reporting: reportingSettingsSchema.optional(),
    keepPlace: keepPlaceSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const zoneProblem = timeZoneProblem(config);
    if (zoneProblem) ctx.addIssue({ code: "custom", path: ["reporting", "timeZone"], message: zoneProblem });
    if (config.startMethods.issueForm && config.problemTypes.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["problemTypes"],
        message: "must name a problem type when startMethods.issueForm is on",
      });
  })
  .meta({ id: "PortalConfig" });

/** A validated portal config (defaults applied, identity keys in their stored form). */
export type PortalConfig = z.infer<typeof portalConfigSchema>;
/** A portal config as an admin may send it. */
export type PortalConfigInput = z.input<typeof portalConfigSchema>;
