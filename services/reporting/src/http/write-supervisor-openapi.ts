// `npm run openapi:supervisor -w services/reporting`: writes services/reporting/openapi-supervisor.json
// from the supervisor API's zod schemas (the drift test compares the checked-in file with the same generation).
import path from "node:path";
import { writeOpenApi } from "@handoff/runtime";
import { supervisorOpenApi } from "./supervisor-openapi";
import { SUPERVISOR_ROUTES } from "./supervisor-routes";

export const SUPERVISOR_OPENAPI_FILE = path.resolve(__dirname, "..", "..", "openapi-supervisor.json");

if (require.main === module) writeOpenApi(SUPERVISOR_OPENAPI_FILE, supervisorOpenApi(SUPERVISOR_ROUTES));
