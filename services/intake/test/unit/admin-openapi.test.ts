import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADMIN_ROUTES } from "../../src/admin/admin-api";
import { adminOpenApi } from "../../src/admin/admin-openapi";
import { ADMIN_OPENAPI_FILE } from "../../src/admin/write-admin-openapi";

describe("the admin API's OpenAPI document", () => {
  it("is checked in as generated from the schemas (regenerate with npm run openapi:admin)", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(ADMIN_OPENAPI_FILE, "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(adminOpenApi(ADMIN_ROUTES))));
  });

  it("documents every route once, each with a unique operation id and its problem answers", () => {
    const document = adminOpenApi(ADMIN_ROUTES) as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
      components: { responses: Record<string, unknown> };
    };
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p));
    expect(operations).toHaveLength(ADMIN_ROUTES.length);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
    for (const operation of operations)
      for (const status of Object.keys(operation.responses).filter((s) => s >= "400"))
        expect(document.components.responses).toHaveProperty(`Problem${status}`);
  });
});
