// The demo site `npm start` gives a newcomer: its teams, problem types and reps, put into the acd at
// every start (the acd versions the config; putting the same one again is harmless), and its public
// portal (start methods, agreement, messages, a notice, a schedule) saved through intake's admin API
// when it differs from the stored one. The one place to extend the demo.
import { AcdServiceClient, type RoutingConfig, type Team } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";
import {
  channelCredentials,
  devTlsEnv,
  loadGrpcTls,
  loadOrCreateDevSigningKey,
  signDevToken,
  tlsChannelOptions,
  type DevCertificates,
} from "@handoff/runtime";

export const DEMO_SITE_ID = "demo";

const team = (id: string, name: string, memberRepIds: string[]): Team => ({
  id,
  name,
  strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  offerTimeoutMs: 30_000,
  // After two minutes in billing, a session may go to support too.
  overflow: id === "billing" ? [{ afterMs: 120_000, addTeamIds: ["support"], priorityIncrease: 0 }] : [],
  transferKeepsWaitTime: true,
  transferPriorityBoost: 0,
  memberRepIds,
});

/** Who may log in to which team: alice in support, carol in billing, bob in both. */
export const DEMO_ROUTING: RoutingConfig = {
  version: 0,
  teams: [team("support", "Support", ["alice", "bob"]), team("billing", "Billing", ["bob", "carol"])],
  problemTypes: [
    { id: "general", label: "Something does not work", teamId: "support", priority: 0, requiredSkills: [] },
    { id: "invoice", label: "A question about an invoice", teamId: "billing", priority: 0, requiredSkills: [] },
  ],
};

const ALL_DAY = [{ opens: "00:00", closes: "24:00" }];

/**
 * What the demo page's widget offers (intake's portal config, services/intake/README.md). Open around
 * the clock, so that a newcomer can try it whenever he starts it; Christmas Day is a holiday.
 */
export const DEMO_PORTAL = {
  startMethods: { repList: true, issueForm: true, sessionKey: true, clientModes: ["click_to_chat", "full_client"] },
  problemTypes: ["general", "invoice"],
  agreement: {
    version: "demo-1",
    text: "The support rep sees your screen or controls your computer only when you allow it, and you can stop that at any time.",
  },
  recordingPrompt: { text: "May we record this session for training?" },
  messages: {
    greeting: "Hello! You are number {{position}} in the queue; expect about {{estimatedWait}}.",
    hold: "Still number {{position}}: thank you for waiting.",
    holdIntervalSeconds: 30,
  },
  notices: [
    {
      id: "demo",
      text: "This is a demo: sign in on the agent console as alice, bob or carol to answer yourself.",
      delivery: "automatic",
    },
  ],
  schedule: {
    timeZone: "Europe/Berlin",
    weekly: Object.fromEntries(
      ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((day) => [day, ALL_DAY]),
    ),
    holidays: [{ date: "2026-12-25", name: "Christmas Day" }],
    exceptions: [],
  },
  fallbackUrl: "https://example.com/contact",
  allowedOrigins: [],
  // Keep my place with the page left open (a browser notification calls him back); no webhook: the demo
  // has no site to send the link to.
  keepPlace: { callAtPosition: 2, returnWithinSeconds: 300 },
};

/** One line for the start summary. */
export const demoSiteSummary = (): string =>
  `site ${DEMO_SITE_ID}: ${DEMO_ROUTING.teams.map((t) => `${t.id} (${t.memberRepIds.join(", ")})`).join(", ")}`;

/** Puts the demo site's routing config into the acd at `acdAddress`, as the admin path (intake) does. */
export async function seedDemoSite(acdAddress: string, certificates: DevCertificates): Promise<void> {
  const tls = loadGrpcTls(devTlsEnv(certificates, "intake"));
  const acd = new AcdServiceClient(acdAddress, channelCredentials(tls), tlsChannelOptions(acdAddress));
  try {
    await new Promise<void>((resolve, reject) =>
      acd.putRoutingConfig({ siteId: DEMO_SITE_ID, config: DEMO_ROUTING }, (error) =>
        error ? reject(new Error(`the demo site's routing config was refused: ${error.message}`)) : resolve(),
      ),
    );
  } finally {
    acd.close();
  }
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, sorted(inner)]),
  );
}

/**
 * Saves the demo site's portal config through intake's admin API at `adminUrl` (a development admin
 * token, as `npm run token -- --role admin` makes), unless the stored one is the same already.
 */
export async function seedDemoPortal(adminUrl: string): Promise<void> {
  const token = await signDevToken(await loadOrCreateDevSigningKey(), {
    siteId: DEMO_SITE_ID,
    repId: "npm-start",
    roles: ["admin"],
    ttlSeconds: 300,
  });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const url = `${adminUrl}/v1/admin/portal-config`;
  const current = await fetch(url, { headers });
  let expectedVersion = 0;
  if (current.status === 200) {
    const stored = (await current.json()) as { version: number; config: unknown };
    if (sameJson(stored.config, DEMO_PORTAL)) return;
    expectedVersion = stored.version;
  } else if (current.status !== 404) {
    throw new Error(`the demo site's portal config could not be read: ${current.status} ${await current.text()}`);
  }
  const saved = await fetch(url, {
    method: "PUT",
    headers,
    body: JSON.stringify({ expectedVersion, config: DEMO_PORTAL }),
  });
  if (!saved.ok) throw new Error(`the demo site's portal config was refused: ${saved.status} ${await saved.text()}`);
}
