import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart, openPortal } from "../support/portal-fixtures";
import { PortalStack } from "../support/portal-stack";

let stack: PortalStack;
beforeAll(async () => {
  stack = await PortalStack.start({}, {}, { MAX_WAITING_PER_TEAM: "1" });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe("a full queue", () => {
  it("tells the customer at once, with the fallback URL, and his session is over", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    // alice's one unit takes the first as an offer; the second fills the team's one waiting place.
    const offered = await stack.startSession(siteId, issueStart("Ann"));
    const waiting = await stack.startSession(siteId, issueStart("Bea"));
    expect(offered).toMatchObject({ noRepAvailable: false });
    expect(waiting).toMatchObject({ noRepAvailable: false, state: "waiting" });

    const full = await stack.startSession(siteId, issueStart("Cid"));
    expect(full).toMatchObject({
      noRepAvailable: true,
      state: "ended",
      fallbackUrl: "https://help.example.com/contact",
    });
  });
});
