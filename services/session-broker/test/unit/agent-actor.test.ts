import { describe, expect, it } from "vitest";
import { checkActsOnRep, isSupervisor, requesterOf } from "../../src/auth/agent-actor";
import { principalFromClaims, type AgentPrincipal } from "@handoff/runtime";
import { NotAllowedError } from "../../src/domain/errors";

const principal = (claims: unknown): AgentPrincipal => {
  const { principal: p, problem } = principalFromClaims(claims);
  if (!p) throw new Error(problem);
  return p;
};

describe("agent token claims", () => {
  it("give the site, the rep and the known roles", () => {
    const p = principal({ site: "demo", sub: "alice", roles: ["rep", "billing-viewer"], iss: "x" });
    expect(p).toEqual({ siteId: "demo", repId: "alice", roles: new Set(["rep"]) });
  });

  it.each([
    [{ sub: "alice", roles: ["rep"] }, "claim site"],
    [{ site: "demo", roles: ["rep"] }, "claim sub"],
    [{ site: "demo", sub: "alice" }, "claim roles"],
    [{ site: "demo", sub: "alice", roles: "rep" }, "claim roles"],
    [{ site: "demo", sub: "alice", roles: [] }, "claim roles: must hold one of"],
    [{ site: "demo", sub: "alice", roles: ["root"] }, "claim roles: must hold one of"],
    [{ site: "de mo", sub: "alice", roles: ["rep"] }, "claim site"],
    [{ site: "demo", sub: "a".repeat(129), roles: ["rep"] }, "claim sub"],
  ])("refuse %j", (claims, problem) => {
    expect(principalFromClaims(claims).problem).toContain(problem);
  });
});

describe("who may act on whom", () => {
  const alice = principal({ site: "demo", sub: "alice", roles: ["rep"] });
  const sam = principal({ site: "demo", sub: "sam", roles: ["supervisor"] });
  const ada = principal({ site: "demo", sub: "ada", roles: ["admin"] });

  it("a rep acts only as himself", () => {
    expect(() => checkActsOnRep(alice, "alice")).not.toThrow();
    expect(() => checkActsOnRep(alice, "bob")).toThrow(NotAllowedError);
  });

  it("a supervisor acts on any rep of his site, and an admin as a supervisor", () => {
    expect(() => checkActsOnRep(sam, "bob")).not.toThrow();
    expect(() => checkActsOnRep(ada, "bob")).not.toThrow();
    expect([isSupervisor(alice), isSupervisor(sam), isSupervisor(ada)]).toEqual([false, true, true]);
  });

  it("the session commands see a rep as a rep and a supervisor or admin as a supervisor", () => {
    expect(requesterOf(alice)).toEqual({ kind: "rep", id: "alice", customerToken: "" });
    expect(requesterOf(sam)).toEqual({ kind: "supervisor", id: "sam", customerToken: "" });
    expect(requesterOf(ada).kind).toBe("supervisor");
  });
});
