import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { portalOpenApi } from "../../src/portal/portal-openapi";
import { PORTAL_ROUTES } from "../../src/portal/portal-routes";
import { PORTAL_OPENAPI_FILE } from "../../src/portal/write-portal-openapi";

describe("the public portal API's OpenAPI document", () => {
  it("is checked in as generated from the schemas (regenerate with npm run openapi:portal)", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(PORTAL_OPENAPI_FILE, "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(portalOpenApi(PORTAL_ROUTES))));
  });

  it("documents every route and the live stream, each with a unique operation id", () => {
    const document = portalOpenApi(PORTAL_ROUTES) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p));
    expect(operations).toHaveLength(PORTAL_ROUTES.length + 1);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
    expect(Object.keys(document.paths)).toContain("/v1/sites/{siteId}/sessions/{sessionId}/events");
  });
});
