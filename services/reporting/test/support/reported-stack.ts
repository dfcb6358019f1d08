import { createKafka, createLogger } from "@handoff/runtime";
import { infrastructureEnv, SessionStack, type SessionStackOptions } from "@handoff/testing";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import { startIngest, type RunningIngest } from "./ingest-harness";
import { createReportingDatabase, type ReportingDatabase } from "./reporting-database";
import { startSupervisorServer, type SupervisorServer } from "./supervisor-server";

/** The real acd, presence and broker, whose events reporting's real ingest writes into a database of its own. */
export interface ReportedStack {
  stack: SessionStack;
  database: ReportingDatabase;
  ingest: RunningIngest;
  /** The supervisor API over that database. */
  api: SupervisorServer;
  stop(): Promise<void>;
}

/**
 * Starts a SessionStack and reporting's ingest from the shared topics' current end (so only what the
 * test plays is read), with the supervisor API on it.
 */
export async function startReportedStack(clientId: string, options: SessionStackOptions = {}): Promise<ReportedStack> {
  const env = infrastructureEnv();
  const stack = await SessionStack.start(options);
  const kafka = createKafka({
    clientId,
    brokers: env.KAFKA_BROKERS.split(","),
    logger: createLogger("test", "silent"),
  });
  const database = await createReportingDatabase(env.DATABASE_URL);
  const ingest = await startIngest(kafka, INGEST_TOPICS, database, { fromEnd: true });
  const api = await startSupervisorServer(database.pool);
  return {
    stack,
    database,
    ingest,
    api,
    stop: async () => {
      await api.stop();
      await ingest.consumers.disconnect();
      await database.drop();
      await stack.stop();
    },
  };
}
