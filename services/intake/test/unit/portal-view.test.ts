import { describe, expect, it } from "vitest";
import { portalConfigSchema } from "../../src/domain/portal-config";
import { portalViewJson } from "../../src/portal/portal-view";
import type { SitePortal } from "../../src/portal/site-portals";

const portal = (schedule?: unknown): SitePortal => ({
  siteId: "site-1",
  version: 4,
  routing: {
    version: 2,
    teams: [],
    problemTypes: [
      { id: "printer", label: "Printer", teamId: "support", priority: 0, requiredSkills: [] },
      { id: "invoice", label: "Invoice", teamId: "billing", priority: 0, requiredSkills: [] },
    ],
  },
  config: portalConfigSchema.parse({
    startMethods: { repList: true, issueForm: true, sessionKey: false, clientModes: ["full_client", "click_to_chat"] },
    problemTypes: ["invoice", "gone", "printer"],
    messages: { greeting: "Hi", hold: "Hold on", holdIntervalSeconds: 60 },
    notices: [
      { id: "now", text: "Now", delivery: "automatic", activeFrom: "2026-11-27T00:00:00Z" },
      { id: "later", text: "Later", delivery: "automatic", activeFrom: "2026-11-28T00:00:00Z" },
      { id: "over", text: "Over", delivery: "automatic", activeUntil: "2026-11-27T09:00:00Z" },
      { id: "pushed", text: "Pushed", delivery: "pushed" },
    ],
    ...(schedule ? { schedule } : {}),
  }),
});
const reps = [{ repId: "alice", displayName: "alice" }];
const AT = Date.parse("2026-11-27T10:00:00Z");

describe("the portal view", () => {
  it("shows the problem types the acd still routes, in the config's order, and the notices active now", () => {
    const view = portalViewJson(portal(), reps, AT);
    expect(view.problemTypes).toEqual([
      { id: "invoice", label: "Invoice" },
      { id: "printer", label: "Printer" },
    ]);
    expect(view.notices).toEqual([{ id: "now", text: "Now" }]);
    expect(view).toMatchObject({
      open: true,
      opensAt: null,
      closesAt: null,
      reps,
      agreement: null,
      startMethods: {
        repList: true,
        issue: true,
        sessionKey: false,
        invitationLink: true,
        modes: ["full_client", "click_to_chat"],
      },
    });
  });

  it("when closed: says when it opens and lists no reps", () => {
    const view = portalViewJson(
      portal({ timeZone: "Europe/Berlin", weekly: { monday: [{ opens: "08:00", closes: "17:00" }] } }),
      reps,
      AT,
    );
    // Friday 27 November 2026, 11:00 in Berlin: next Monday 08:00 (07:00 UTC).
    expect(view).toMatchObject({ open: false, opensAt: "2026-11-30T07:00:00.000Z", closesAt: null, reps: [] });
  });
});
