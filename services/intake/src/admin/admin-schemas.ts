import { idField } from "@handoff/runtime/fields";
import { z } from "zod";
import { portalConfigSchema } from "../domain/portal-config";

/**
 * The admin API's request and response shapes besides the configs themselves: the one source of its
 * validation and of its OpenAPI document (openapi-admin.json).
 */

const MAX_VERSION = 2_147_483_647;

const version = z.coerce
  .number()
  .int("must be an integer")
  .min(1, "must be at least 1")
  .max(MAX_VERSION, `must be at most ${MAX_VERSION}`);

export const versionPath = z.strictObject({ version });

export const historyQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int("must be an integer")
    .min(1, "from 1 to 100")
    .max(100, "from 1 to 100")
    .default(20)
    .meta({ description: "Versions per page." }),
  before: version.optional().meta({ description: "Only versions below this one (the next page)." }),
});

export const putPortalConfigBody = z.strictObject({
  expectedVersion: z
    .number()
    .int("must be an integer")
    .min(0, "must be 0 (creating) or the version read")
    .max(MAX_VERSION)
    .optional()
    .meta({ description: "The version this write replaces (0 creates the first); or send If-Match." }),
  config: portalConfigSchema,
});

const versionSummary = {
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  createdBy: idField.meta({ description: "The admin who saved it (his token's sub)." }),
};

export const portalConfigView = z
  .object({ siteId: z.string(), ...versionSummary, config: portalConfigSchema })
  .meta({ id: "PortalConfigVersion" });

export const historyResponse = z.object({
  versions: z.array(z.object(versionSummary).meta({ id: "PortalConfigVersionSummary" })),
});

export const siteRetiredView = z
  .object({
    siteId: z.string(),
    retiredAt: z.iso.datetime(),
    retiredBy: idField.meta({ description: "The admin who retired it (his token's sub)." }),
    throughVersion: z
      .number()
      .int()
      .meta({ description: "The last portal config version of the retired site (its history stays readable)." }),
    removedKeys: z
      .object({ acd: z.number().int(), presence: z.number().int() })
      .meta({ description: "Routing and presence keys removed (0 when asked again after they had gone)." }),
  })
  .meta({ id: "SiteRetired" });

export const routingVersionResponse = z.object({ version: z.number().int() });

/** `If-Match: "3"`: the ETag of the version read. */
export const IF_MATCH_HEADER = {
  name: "If-Match",
  in: "header",
  required: false,
  description: 'The ETag of the version this write replaces ("3"); or send expectedVersion in the body.',
  schema: { type: "string", pattern: '^"\\d{1,10}"$' },
};

export const ETAG_HEADER = {
  ETag: { description: 'The version of the config in the body, as "N".', schema: { type: "string" } },
};
