import { existsSync } from "node:fs";
import path from "node:path";
import type { Logger } from "@handoff/runtime";
import express, { type Express, type Response } from "express";
import { isExactOrigin } from "./domain/web-origin";

/** The widget as `npm run build` leaves it in this repository (from dist/ or src/). */
export const DEFAULT_WIDGET_DIR = path.resolve(__dirname, "..", "..", "..", "packages", "widget", "dist");

export interface WidgetAssetsOptions {
  /** packages/widget's build output: loader.js, frame.html, widget.js, widget.css, demo/. */
  dir: string;
  /** The origins allowed to embed a site's portal (its portal config); they may frame the widget. */
  allowedOrigins(siteId: string): Promise<readonly string[]>;
}

const SITE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The frame loads only its own script and styles and calls only intake (same origin); it may be framed
 * by intake itself (the demo) and by the site's allowed origins, nobody else.
 */
const frameCsp = (ancestors: readonly string[]) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${["'self'", ...ancestors].join(" ")}`,
  ].join("; ");

/**
 * The demo host page is as strict as we ask embedding sites to be: its own files, the loader script and
 * intake's frame (both 'self' here, as intake serves the demo), no inline script or style.
 */
const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "frame-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function commonHeaders(res: Response): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("cache-control", "no-cache");
}

/**
 * Serves the widget on intake's public port: `/widget/loader.js` for host pages' script tags (any
 * origin may load it), `/widget/frame.html` and its files for the frame, `/demo/` (a host page with a
 * strict CSP that embeds it) and `/invite/<token>`, the broker's default invitation link, which lands
 * on the demo page. Nothing is mounted when the folder holds no build; says which at start.
 */
export function mountWidgetAssets(app: Express, options: WidgetAssetsOptions, logger: Logger): void {
  const { dir } = options;
  if (!existsSync(path.join(dir, "loader.js"))) {
    logger.info({ dir }, "widget not served: no build there (npm run build makes it)");
    return;
  }

  app.get("/widget/frame.html", async (req, res, next) => {
    const site = typeof req.query.site === "string" && SITE_ID.test(req.query.site) ? req.query.site : null;
    try {
      // Only exact origins go into the header: a config value can never widen it (no "*", no scheme-only).
      const ancestors = site ? (await options.allowedOrigins(site)).filter(isExactOrigin) : [];
      commonHeaders(res);
      res.setHeader("content-security-policy", frameCsp(ancestors));
      res.sendFile(path.join(dir, "frame.html"));
    } catch (error) {
      next(error);
    }
  });
  app.use(
    "/widget",
    express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => {
        commonHeaders(res);
        res.setHeader("content-security-policy", frameCsp([]));
        // Host pages of other origins load the loader (and a cross-origin-isolated one needs this to).
        if (path.basename(file) === "loader.js") res.setHeader("cross-origin-resource-policy", "cross-origin");
      },
    }),
  );

  app.use(
    "/demo",
    (req, res, next) => {
      // The page's relative URLs (demo.css) need the trailing slash.
      if (req.originalUrl === "/demo") return res.redirect(301, "/demo/");
      next();
    },
    express.static(path.join(dir, "demo"), {
      index: "index.html",
      redirect: false,
      setHeaders: (res) => {
        commonHeaders(res);
        res.setHeader("content-security-policy", DEMO_CSP);
      },
    }),
  );
  app.get("/invite/:token", (req, res) => {
    const token = req.params.token;
    if (!INVITATION_TOKEN.test(token)) return res.status(404).end();
    res.redirect(302, `/demo/?handoff-invitation=${token}`);
  });
  logger.info({ dir, paths: ["/widget/loader.js", "/demo/"] }, "widget served");
}
