import type { PortalConfigInput } from "../../src/domain/portal-config";

export const AGREEMENT = "2026-11";

/** A portal offering every start method, always open, with the agreement and recording prompt. */
export const openPortal = (extra: Partial<PortalConfigInput> = {}): PortalConfigInput => ({
  startMethods: { repList: true, issueForm: true, sessionKey: true, clientModes: ["click_to_chat", "full_client"] },
  problemTypes: ["printer", "invoice"],
  agreement: { version: AGREEMENT, text: "I let the rep see my screen." },
  recordingPrompt: { text: "May we record this session?" },
  messages: {
    greeting: "Hello, you are number {{position}}.",
    hold: "Still number {{position}}.",
    holdIntervalSeconds: 15,
  },
  fallbackUrl: "https://help.example.com/contact",
  ...extra,
});

export const consent = { agreementAccepted: true, agreementVersion: AGREEMENT, recordingAllowed: false };

export const issueStart = (name: string, extra: Record<string, unknown> = {}) => ({
  method: "issue",
  problemTypeId: "printer",
  customer: { name, company: "Acme", description: "The printer jams." },
  consent,
  ...extra,
});

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ALL_DAY = [{ opens: "00:00", closes: "24:00" }];
const EVERY_DAY = Object.fromEntries(
  ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => [d, ALL_DAY]),
);

const DAY_MS = 86_400_000;

/**
 * A schedule open every day in UTC but closed on the UTC date of `nowMs` and the next one, and when it
 * opens. Two closed dates, so a test that builds it just before midnight and reads the portal just
 * after still finds it closed, and `opensAt` (computed from the same `nowMs`) still holds.
 */
export const closedTodayAndTomorrow = (nowMs = Date.now()) => ({
  schedule: {
    timeZone: "UTC",
    weekly: EVERY_DAY,
    exceptions: [utcDate(nowMs), utcDate(nowMs + DAY_MS)].map((date) => ({ date, hours: [], reason: "Staff outing" })),
  },
  opensAt: `${utcDate(nowMs + 2 * DAY_MS)}T00:00:00.000Z`,
});
