// `npm run openapi:agent`: writes services/session-broker/openapi.json from the agent API's zod
// schemas (the drift test compares the checked-in file with the same generation).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { AGENT_ROUTES } from "./agent-api";
import { agentOpenApi } from "./openapi";

export const OPENAPI_FILE = path.resolve(__dirname, "..", "..", "openapi.json");

/** The document as it is checked in: two-space JSON and a final newline. */
export const openApiText = (): string => `${JSON.stringify(agentOpenApi(AGENT_ROUTES), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, openApiText());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
