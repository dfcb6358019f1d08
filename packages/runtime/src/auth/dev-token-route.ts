import type { Express } from "express";
import { z } from "zod";
import { idField } from "../fields";
import { HttpProblem } from "../http/problem";
import { parseRequest } from "../http/request-parsing";
import type { Logger } from "../logging/logger";
import { AGENT_ROLES } from "./agent-principal";
import { signDevToken, type DevSigningKey } from "./dev-signing-key";

/** Development tokens are short: the pages' token callbacks ask for a new one when they lapse. */
const DEV_TOKEN_TTL_S = 3_600;

const devTokenBody = z.strictObject({
  siteId: idField,
  repId: idField,
  roles: z.array(z.enum(AGENT_ROLES)).min(1).max(AGENT_ROLES.length).optional(),
});

/** Whether a peer address, as Node reports it (IPv4, IPv6, IPv4-mapped IPv6), is this machine. */
export const isLoopback = (address: string | undefined): boolean =>
  /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address ?? "");

export interface DevTokenRouteOptions {
  /** Who signs in with it, for the start-up line (e.g. "the agent console"). */
  page: string;
  /** The setting that turns development auth off (e.g. AGENT_JWT_ISSUER). */
  issuerSetting: string;
}

/**
 * `POST /dev/token {siteId, repId, roles?}` → `{token, expiresAtMs}` (roles default to rep): what
 * `npm run token` prints, for the example pages' sign-in. Mount it only with development auth (no
 * issuer, never in production): it answers only this machine, and anyone who reaches it is anyone
 * of any site.
 */
export function mountDevTokenRoute(
  app: Express,
  key: DevSigningKey,
  logger: Logger,
  options: DevTokenRouteOptions,
): void {
  logger.info(
    `DEVELOPMENT TOKEN ROUTE IS ON: POST /dev/token signs a token for any site, person and role, to callers on this machine (${options.page}'s sign-in); set ${options.issuerSetting} for real use`,
  );
  app.post("/dev/token", (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        if (!isLoopback(req.socket.remoteAddress))
          throw new HttpProblem(403, "Forbidden", "development tokens are given to this machine only", undefined, {
            reason: "NOT_ALLOWED",
          });
        const { body } = parseRequest({ body: devTokenBody }, { params: {}, body: req.body });
        const roles = body.roles ?? ["rep"];
        const token = await signDevToken(key, {
          siteId: body.siteId,
          repId: body.repId,
          roles,
          ttlSeconds: DEV_TOKEN_TTL_S,
        });
        logger.info({ siteId: body.siteId, repId: body.repId, roles }, "development token signed");
        res.json({ token, expiresAtMs: Date.now() + DEV_TOKEN_TTL_S * 1000 });
      })
      .catch(next);
  });
}
