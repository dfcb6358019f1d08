import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Frame, Page } from "playwright-core";
import type axe from "axe-core";

/** Where page tests keep their screenshots (git-ignored): `test-artifacts/<group>/<name>.png`. */
export const ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "..", "test-artifacts");

/** Debian's chromium, headless, driven by playwright-core (no browser download). */
export async function launchChromium(): Promise<Browser> {
  // Loaded on first use: most integration tests never start a browser.
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
    headless: true,
  });
}

/** Saves a full-page screenshot as a test artifact and returns its path. */
export async function saveScreenshot(page: Page, group: string, name: string): Promise<string> {
  const dir = path.join(ARTIFACTS_DIR, group);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2 A/AA and best-practice violations of impact serious or critical on the page (or
 * one frame of it, e.g. a cross-origin widget's) as it is now. axe is evaluated through the debugging
 * protocol, so a strict Content-Security-Policy on the page does not stop it.
 */
export async function seriousAxeViolations(page: Page | Frame): Promise<AxeViolation[]> {
  // Loaded on first use, as playwright-core is.
  const { source } = (await import("axe-core")).default;
  await page.evaluate(source);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact ?? "", help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}
