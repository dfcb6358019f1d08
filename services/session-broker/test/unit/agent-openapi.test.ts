import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AGENT_ROUTES } from "../../src/http/agent-api";
import { agentOpenApi } from "../../src/http/openapi";
import { OPENAPI_FILE } from "../../src/http/write-openapi";

describe("the agent API's OpenAPI document", () => {
  it("is checked in as generated from the schemas (regenerate with npm run openapi:agent)", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(agentOpenApi(AGENT_ROUTES))));
  });

  it("documents every route, rep routes also under /v1/me, each with a unique operation id", () => {
    const document = agentOpenApi(AGENT_ROUTES) as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p));
    const repRoutes = AGENT_ROUTES.filter((r) => r.path.startsWith("/v1/reps/{repId}")).length;
    expect(operations).toHaveLength(AGENT_ROUTES.length + repRoutes);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/v1/me/sessions", "/v1/sessions/{sessionId}/accept"]),
    );
  });
});
