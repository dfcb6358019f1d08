import {
  AGENT_ROLES,
  HttpProblem,
  parseRequest,
  signDevToken,
  type DevSigningKey,
  type Logger,
} from "@handoff/runtime";
import type { Express } from "express";
import { z } from "zod";
import { id } from "./schemas";

/** Development tokens are short: the console's token callback asks for a new one when they lapse. */
const DEV_TOKEN_TTL_S = 3_600;

const devTokenBody = z.strictObject({
  siteId: id,
  repId: id,
  roles: z.array(z.enum(AGENT_ROLES)).min(1).max(AGENT_ROLES.length).optional(),
});

/** Whether a peer address, as Node reports it (IPv4, IPv6, IPv4-mapped IPv6), is this machine. */
export const isLoopback = (address: string | undefined): boolean =>
  /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address ?? "");

/**
 * `POST /dev/token {siteId, repId, roles?}` → `{token, expiresAtMs}`: what `npm run token` prints, for
 * the example console's sign-in. Mounted only with development auth (no AGENT_JWT_ISSUER, never in
 * production) and answered only to this machine: anyone who reaches it is any rep of any site.
 */
export function mountDevTokenRoute(app: Express, key: DevSigningKey, logger: Logger): void {
  logger.info(
    "DEVELOPMENT TOKEN ROUTE IS ON: POST /dev/token signs an agent token for any site and rep, to callers on this machine (the agent console's sign-in); set AGENT_JWT_ISSUER for real use",
  );
  app.post("/dev/token", (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        if (!isLoopback(req.socket.remoteAddress))
          throw new HttpProblem(403, "Forbidden", "development tokens are given to this machine only", undefined, {
            reason: "NOT_ALLOWED",
          });
        const { body } = parseRequest({ body: devTokenBody }, { params: {}, body: req.body });
        const token = await signDevToken(key, {
          siteId: body.siteId,
          repId: body.repId,
          roles: body.roles ?? ["rep"],
          ttlSeconds: DEV_TOKEN_TTL_S,
        });
        logger.info({ siteId: body.siteId, repId: body.repId }, "development token signed");
        res.json({ token, expiresAtMs: Date.now() + DEV_TOKEN_TTL_S * 1000 });
      })
      .catch(next);
  });
}
