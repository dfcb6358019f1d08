/**
 * The keys a site's own web server signs customer identity tokens with (verified identity: its JWTs
 * fill in the customer's name and company, and the rep sees them marked verified). A JWKS of public
 * keys only, ES256 (EC P-256) or EdDSA (Ed25519): the algorithms short tokens are signed with, and
 * neither can be confused with an HMAC secret. Each key needs a `kid` so a token names its key.
 */
import { createPublicKey } from "node:crypto";
import { idField } from "@handoff/runtime/fields";
import { z } from "zod";

export const MAX_IDENTITY_KEYS = 10;

/** Members that only private or symmetric keys have. */
const SECRET_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url");

const KINDS = {
  EC: { crv: "P-256", alg: "ES256" },
  OKP: { crv: "Ed25519", alg: "EdDSA" },
} as const;

function isPublicKey(key: { kty: string; crv: string; x: string; y?: string | undefined }): boolean {
  try {
    createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: "jwk" });
    return true;
  } catch {
    return false;
  }
}

/** Present only in private or symmetric keys: declared so that their presence is named and refused. */
const secretMembers = Object.fromEntries(
  SECRET_MEMBERS.map((member) => [member, z.never({ error: "must not be here: publish public keys only" }).optional()]),
) as Record<(typeof SECRET_MEMBERS)[number], z.ZodOptional<z.ZodNever>>;

const jwk = z
  .strictObject({
    kty: z.enum(["EC", "OKP"], { error: "must be EC (P-256, ES256) or OKP (Ed25519, EdDSA)" }),
    kid: idField,
    crv: z.string().max(20),
    x: base64url(100),
    y: base64url(100).optional(),
    alg: z.string().max(20).optional(),
    use: z.literal("sig", { error: 'must be "sig"' }).optional(),
    ...secretMembers,
  })
  .superRefine((key, ctx) => {
    const problems: [string, string][] = [];
    const kind = KINDS[key.kty];
    if (key.crv !== kind.crv) problems.push(["crv", `must be ${kind.crv}`]);
    if (key.alg !== undefined && key.alg !== kind.alg)
      problems.push(["alg", `must be ${kind.alg} for a ${key.kty} key`]);
    if (key.kty === "EC" && key.y === undefined) problems.push(["y", "is required"]);
    if (key.kty === "OKP" && key.y !== undefined) problems.push(["y", "must not be here"]);
    if (problems.length === 0 && !isPublicKey(key)) problems.push(["x", `is not a point of ${kind.crv}`]);
    for (const [member, message] of problems) ctx.addIssue({ code: "custom", path: [member], message });
  })
  .meta({ id: "IdentityKey" });

export const identityKeySetSchema = z
  .strictObject({ keys: z.array(jwk).min(1, "must hold at least one key").max(MAX_IDENTITY_KEYS) })
  .superRefine(({ keys }, ctx) => {
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (seen.has(key.kid))
        ctx.addIssue({ code: "custom", path: ["keys", i, "kid"], message: `${key.kid} is listed twice` });
      seen.add(key.kid);
    });
  })
  .meta({
    id: "IdentityKeySet",
    description: "A JWKS of public ES256 (P-256) or EdDSA (Ed25519) keys, each with a kid.",
  });

export type IdentityKeySet = z.infer<typeof identityKeySetSchema>;
