import type { PortalConfigInput } from "../../src/domain/portal-config";
import type { RoutingConfigBody } from "../../src/admin/routing-config-json";

/** A site's routing in the acd: two teams and the problem types the portal shows. */
export const demoRouting = (): RoutingConfigBody => ({
  teams: [
    {
      id: "support",
      name: "Support",
      strategy: "longest_idle",
      overflow: [],
      transferKeepsWaitTime: false,
      transferPriorityBoost: 0,
      memberRepIds: ["alice", "bob"],
    },
    {
      id: "billing",
      name: "Billing",
      strategy: "round_robin",
      overflow: [],
      transferKeepsWaitTime: false,
      transferPriorityBoost: 0,
      memberRepIds: ["carol"],
    },
  ],
  problemTypes: [
    { id: "printer", label: "Printer", teamId: "support", priority: 0, requiredSkills: [] },
    { id: "invoice", label: "Invoice", teamId: "billing", priority: 10, requiredSkills: [] },
  ],
});

/** A portal config using every field, valid against `demoRouting`. */
export const fullPortalConfig = (): PortalConfigInput => ({
  startMethods: { repList: true, issueForm: true, sessionKey: true, clientModes: ["click_to_chat", "full_client"] },
  problemTypes: ["invoice", "printer"],
  agreement: { version: "2026-11", text: "I let the rep see my screen while I watch." },
  recordingPrompt: { text: "May we record this session for training?" },
  messages: {
    greeting: "Hello! You are number {{position}}; expect about {{estimatedWait}}.",
    hold: "Still number {{ position }} — thank you for waiting.",
    holdIntervalSeconds: 60,
  },
  notices: [
    {
      id: "outage",
      text: "Our printers team is short-staffed today.",
      delivery: "automatic",
      activeFrom: "2026-11-27T08:00:00+01:00",
      activeUntil: "2026-11-27T18:00:00+01:00",
    },
    { id: "evacuation", text: "We close early today; please come back tomorrow.", delivery: "pushed" },
  ],
  schedule: {
    timeZone: "Europe/Berlin",
    weekly: {
      monday: [
        { opens: "08:00", closes: "12:00" },
        { opens: "13:00", closes: "17:30" },
      ],
    },
    holidays: [{ date: "2026-12-25", name: "Christmas" }],
  },
  fallbackUrl: "https://help.example.com/contact",
  allowedOrigins: ["https://www.example.com", "http://localhost:5173"],
  identityKeys: {
    keys: [
      {
        kty: "OKP",
        crv: "Ed25519",
        kid: "web-1",
        x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        alg: "EdDSA",
        use: "sig",
      },
    ],
  },
});

/** The smallest valid config: no issue form, so no problem types needed. */
export const minimalPortalConfig = (): PortalConfigInput => ({
  startMethods: { repList: true, issueForm: false, sessionKey: false, clientModes: ["click_to_chat"] },
  problemTypes: [],
  messages: { greeting: "Welcome.", hold: "Please hold.", holdIntervalSeconds: 30 },
});
