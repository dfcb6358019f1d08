// `npm run openapi:portal`: writes services/intake/openapi-portal.json from the portal API's zod
// schemas (the drift test compares the checked-in file with the same generation).
import path from "node:path";
import { writeOpenApi } from "@handoff/runtime";
import { portalOpenApi } from "./portal-openapi";
import { PORTAL_ROUTES } from "./portal-routes";

export const PORTAL_OPENAPI_FILE = path.resolve(__dirname, "..", "..", "openapi-portal.json");

if (require.main === module) writeOpenApi(PORTAL_OPENAPI_FILE, portalOpenApi(PORTAL_ROUTES));
