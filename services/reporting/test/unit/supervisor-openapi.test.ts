import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { supervisorOpenApi } from "../../src/http/supervisor-openapi";
import { SUPERVISOR_ROUTES } from "../../src/http/supervisor-routes";
import { SUPERVISOR_OPENAPI_FILE } from "../../src/http/write-supervisor-openapi";

describe("the supervisor API's OpenAPI document", () => {
  it("is checked in as generated from the schemas (regenerate with npm run openapi:supervisor -w services/reporting)", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(SUPERVISOR_OPENAPI_FILE, "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(supervisorOpenApi(SUPERVISOR_ROUTES))));
  });
});
