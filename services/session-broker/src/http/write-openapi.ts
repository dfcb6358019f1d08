// `npm run openapi:agent`: writes services/session-broker/openapi.json from the agent API's zod
// schemas (the drift test compares the checked-in file with the same generation).
import path from "node:path";
import { writeOpenApi } from "@handoff/runtime";
import { AGENT_ROUTES } from "./agent-api";
import { agentOpenApi } from "./openapi";

export const OPENAPI_FILE = path.resolve(__dirname, "..", "..", "openapi.json");

if (require.main === module) writeOpenApi(OPENAPI_FILE, agentOpenApi(AGENT_ROUTES));
