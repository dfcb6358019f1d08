/**
 * Keep my place (docs/keep-my-place.md), as a site's admin sets it: a waiting customer may close the
 * page without losing his place; he is called back once his position reaches `callAtPosition` (a
 * `callback` frame to a page still open, else the site's webhook with a resume link) and must be back
 * within `returnWithinSeconds`, or his session is abandoned (CUSTOMER_DID_NOT_RETURN). Left out, the
 * portal does not offer it. Without a webhook only a customer whose page stays open can be called back.
 */
import { textField } from "@handoff/runtime/fields";
import { z } from "zod";
import { isWebAddress } from "./web-origin";

export const CALL_AT_POSITION_BOUNDS = [1, 20] as const;
export const RETURN_WITHIN_BOUNDS_S = [60, 3_600] as const;
export const WEBHOOK_SECRET_LENGTH = [16, 256] as const;

const between = (bounds: readonly [number, number], unit: string) =>
  z
    .number()
    .int(`must be a whole number${unit ? ` of ${unit}` : ""}`)
    .min(bounds[0], `from ${bounds[0]} to ${bounds[1]}${unit ? ` ${unit}` : ""}`)
    .max(bounds[1], `from ${bounds[0]} to ${bounds[1]}${unit ? ` ${unit}` : ""}`);

const webhookSchema = z
  .strictObject({
    url: z
      .string()
      .max(2_000)
      .refine(isWebAddress, "must be an https address (http only on localhost)")
      .meta({ description: "Receives a signed JSON POST with the customer's resume link when he is called back." }),
    secret: textField(WEBHOOK_SECRET_LENGTH[1], WEBHOOK_SECRET_LENGTH[0]).meta({
      description:
        'HMAC-SHA256 key of the `Handoff-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">` header (16 to 256 characters).',
    }),
  })
  .meta({ id: "KeepPlaceWebhook" });

export const keepPlaceSchema = z
  .strictObject({
    callAtPosition: between(CALL_AT_POSITION_BOUNDS, "").meta({
      description: "The customer is called back when his queue position reaches this (1 to 20).",
    }),
    returnWithinSeconds: between(RETURN_WITHIN_BOUNDS_S, "seconds").meta({
      description: "His time to return after the callback before the session is abandoned (60 to 3,600 s).",
    }),
    webhook: webhookSchema.optional(),
    resumePageUrl: z
      .string()
      .max(2_000)
      .refine(isWebAddress, "must be an https address (http only on localhost)")
      .optional()
      .meta({
        description:
          "The site's page that embeds the widget: the resume link is this page with `handoff-resume=<session>.<one-time token>` added.",
      }),
  })
  .superRefine((keep, ctx) => {
    if (keep.webhook && !keep.resumePageUrl)
      ctx.addIssue({
        code: "custom",
        path: ["resumePageUrl"],
        message: "is required with a webhook (the link it sends)",
      });
  })
  .meta({ id: "KeepPlace" });

export type KeepPlace = z.infer<typeof keepPlaceSchema>;
