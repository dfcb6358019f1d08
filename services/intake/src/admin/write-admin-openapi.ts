// `npm run openapi:admin`: writes services/intake/openapi-admin.json from the admin API's zod schemas
// (the drift test compares the checked-in file with the same generation).
import path from "node:path";
import { writeOpenApi } from "@handoff/runtime";
import { ADMIN_ROUTES } from "./admin-api";
import { adminOpenApi } from "./admin-openapi";

export const ADMIN_OPENAPI_FILE = path.resolve(__dirname, "..", "..", "openapi-admin.json");

if (require.main === module) writeOpenApi(ADMIN_OPENAPI_FILE, adminOpenApi(ADMIN_ROUTES));
