import type { Browser, Frame, FrameLocator, Page } from "playwright-core";
import { expect } from "vitest";
import { saveScreenshot, seriousAxeViolations } from "@handoff/testing";

export const ARTIFACTS = "widget";

/** A host page in a fresh browser profile with the widget opened, and what went wrong in it. */
export interface OpenedWidget {
  page: Page;
  /** The widget's frame, for locators (auto-waiting) and for evaluate/axe. */
  ui: FrameLocator;
  frame: () => Promise<Frame>;
  /** Console errors of the page and its frames: a CSP refusal, an uncaught error. */
  errors: string[];
}

/**
 * Opens `url` in a new context and collects console errors and page errors from every frame;
 * `beforeLoad` runs in every frame before its scripts (e.g. to record notifications).
 */
export async function openHostPage(
  browser: Browser,
  url: string,
  beforeLoad?: () => void,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  if (beforeLoad) await context.addInitScript(beforeLoad);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}

/** The widget's frame locator and its Frame once attached. */
export function widgetFrame(page: Page): Pick<OpenedWidget, "ui" | "frame"> {
  const ui = page.frameLocator('iframe[src*="/widget/frame.html"]');
  return {
    ui,
    frame: async () => {
      const handle = await page.locator('iframe[src*="/widget/frame.html"]').elementHandle();
      const frame = await handle?.contentFrame();
      if (!frame) throw new Error("the widget's frame is not attached");
      return frame;
    },
  };
}

/** Opens the host page and presses the launcher (by mouse, or `keyboard`: Tab to it and Enter). */
export async function openWidget(
  browser: Browser,
  url: string,
  launcher = "Get help",
  keyboard = false,
  beforeLoad?: () => void,
): Promise<OpenedWidget> {
  const { page, errors } = await openHostPage(browser, url, beforeLoad);
  const button = page.getByRole("button", { name: launcher });
  await button.waitFor();
  if (keyboard) {
    for (let i = 0; i < 10 && !(await button.evaluate((element) => element.matches(":focus"))); i++)
      await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
  } else {
    await button.click();
  }
  return { page, errors, ...widgetFrame(page) };
}

/** Screenshot as an artifact, and no serious or critical axe violation in the widget's frame. */
export async function checkView(widget: OpenedWidget, name: string): Promise<void> {
  await saveScreenshot(widget.page, ARTIFACTS, name);
  expect(await seriousAxeViolations(await widget.frame()), `axe on ${name}`).toEqual([]);
}

/**
 * Each named button of the widget lies wholly inside the widget's frame as the page shows it: not cut
 * off at the frame's bottom, nor scrolled out of it.
 */
export async function expectButtonsInView(widget: OpenedWidget, names: readonly string[]): Promise<void> {
  const frameBox = await widget.page.locator('iframe[src*="/widget/frame.html"]').boundingBox();
  if (!frameBox) throw new Error("the widget's frame is not shown");
  const inside = (box: { x: number; y: number; width: number; height: number }) => ({
    top: box.y >= frameBox.y,
    bottom: box.y + box.height <= frameBox.y + frameBox.height,
    left: box.x >= frameBox.x,
    right: box.x + box.width <= frameBox.x + frameBox.width,
  });
  for (const name of names) {
    const box = await widget.ui.getByRole("button", { name, exact: true }).boundingBox();
    expect(box, `${name} is shown`).not.toBeNull();
    expect(
      inside(box!),
      `${name} (${JSON.stringify(box)}) lies inside the frame (${JSON.stringify(frameBox)})`,
    ).toEqual({ top: true, bottom: true, left: true, right: true });
  }
}

/** The page's errors, minus what a test expects (e.g. a refused start answers 4xx, which Chromium logs). */
export const unexpectedErrors = (errors: string[]): string[] =>
  errors.filter((error) => !/status of 4\d\d/.test(error));
