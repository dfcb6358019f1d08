import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Express } from "express";
import type { Logger } from "../logging/logger";

/** The pages talk only to their own origin (API calls, streams, sockets) and load nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export interface StaticPageOptions {
  /** What it is, for the start-up line (e.g. "agent console"). */
  what: string;
  /** Where it is served, without a trailing slash (e.g. `/console`). */
  urlPath: string;
  /** The built page: index.html and what it loads. */
  dir: string;
}

/**
 * Serves a built page (same origin as the service's API, so no CORS) under a strict
 * Content-Security-Policy. Nothing is mounted when the folder holds no built page; says which at start.
 */
export function mountStaticPage(app: Express, page: StaticPageOptions, logger: Logger): void {
  if (!existsSync(path.join(page.dir, "index.html"))) {
    logger.info({ dir: page.dir }, `${page.what} not served: no built page there (npm run build makes it)`);
    return;
  }
  app.use(
    page.urlPath,
    (req, res, next) => {
      // The page's relative URLs (its script and styles) need the trailing slash.
      if (req.originalUrl === page.urlPath) return res.redirect(301, `${page.urlPath}/`);
      res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("referrer-policy", "no-referrer");
      next();
    },
    express.static(page.dir, {
      index: "index.html",
      redirect: false,
      setHeaders: (res) => res.setHeader("cache-control", "no-cache"),
    }),
  );
  logger.info({ dir: page.dir, path: `${page.urlPath}/` }, `${page.what} served`);
}
