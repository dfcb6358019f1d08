import { existsSync } from "node:fs";
import path from "node:path";
import type { Logger } from "@handoff/runtime";
import express, { type Express } from "express";

/** The example console as `npm run build` leaves it in this repository (from dist/http or src/http). */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, "..", "..", "..", "..", "examples", "agent-console", "dist");

/** The page talks only to this origin (its API calls and its socket) and loads nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Serves the built example agent console at `/console/` (same origin as the agent API, so no CORS).
 * Nothing is mounted when the folder holds no built page; says which at start.
 */
export function mountAgentConsole(app: Express, dir: string, logger: Logger): void {
  if (!existsSync(path.join(dir, "index.html"))) {
    logger.info({ dir }, "agent console not served: no built page there (npm run build makes it)");
    return;
  }
  app.use(
    "/console",
    (req, res, next) => {
      // The page's relative URLs (console.js, console.css) need the trailing slash.
      if (req.originalUrl === "/console") return res.redirect(301, "/console/");
      res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("referrer-policy", "no-referrer");
      next();
    },
    express.static(dir, {
      index: "index.html",
      redirect: false,
      setHeaders: (res) => res.setHeader("cache-control", "no-cache"),
    }),
  );
  logger.info({ dir, path: "/console/" }, "agent console served");
}
