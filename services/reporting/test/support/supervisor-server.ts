import {
  AgentTokenVerifier,
  createHttpApp,
  createLogger,
  publicKeyFrom,
  startHttpServer,
  type PgPool,
} from "@handoff/runtime";
import { TEST_ISSUER, testIssuer, type TestIssuer } from "@handoff/testing";
import { mountSupervisorApi } from "../../src/http/supervisor-api";
import { RealtimeStore } from "../../src/store/realtime-store";
import { RepFactsReader } from "../../src/store/rep-facts-reader";
import { SessionFactsReader } from "../../src/store/session-facts-reader";
import { SiteSettingsStore } from "../../src/store/site-settings-store";
import { SessionHistoryReader } from "../../src/store/session-history-reader";
import { SessionListReader } from "../../src/store/session-list-reader";

export interface SupervisorServer {
  base: string;
  issuer: TestIssuer;
  stop(): Promise<void>;
}

/** The real supervisor API over a reporting database, on loopback, with a test token issuer. */
export async function startSupervisorServer(pool: PgPool, now: () => number = Date.now): Promise<SupervisorServer> {
  const issuer = await testIssuer("SUPERVISOR");
  const verifier = new AgentTokenVerifier({
    issuer: TEST_ISSUER,
    audience: issuer.audience,
    key: publicKeyFrom(issuer.publicPem),
  });
  const app = createHttpApp({
    logger: createLogger("reporting-test", "silent"),
    readiness: [],
    routes: (routes) =>
      mountSupervisorApi(
        routes,
        {
          realtime: new RealtimeStore(pool),
          facts: new SessionFactsReader(pool),
          repFacts: new RepFactsReader(pool),
          sessionList: new SessionListReader(pool),
          sessionHistory: new SessionHistoryReader(pool),
          siteSettings: new SiteSettingsStore(pool),
          now,
        },
        { verifier, rateLimitPerMinute: 1_000 },
      ),
  });
  const server = await startHttpServer(app, "127.0.0.1", 0);
  return { base: `http://127.0.0.1:${server.port}`, issuer, stop: () => server.drain(1_000) };
}
