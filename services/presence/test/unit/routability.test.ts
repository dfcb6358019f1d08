import { describe, expect, it } from "vitest";
import type { RepSnapshot } from "../../src/domain/rep-state";
import { whyNotRoutable, type RoutingView } from "../../src/domain/routability";

const rep = (overrides: Partial<RepSnapshot> = {}): RepSnapshot => ({
  repId: "ann",
  state: "available",
  reasonCode: "",
  teamIds: ["support"],
  capacity: 2,
  skills: [],
  version: 7,
  liveConnections: 1,
  stateSinceMs: 1_000,
  changedBy: "ACTOR_REP",
  ...overrides,
});

const routing = (overrides: Partial<RoutingView> = {}): RoutingView => ({
  load: 0,
  notResponding: false,
  ...overrides,
});

describe("whyNotRoutable", () => {
  it("finds no reason for an available, connected rep with free capacity in the team asked about", () => {
    expect(whyNotRoutable(rep(), routing({ load: 1 }), "support")).toEqual([]);
    expect(whyNotRoutable(rep(), routing())).toEqual([]);
  });

  it.each(["away", "busy", "offline"] as const)("gives the state alone for a connected rep who is %s", (state) => {
    expect(whyNotRoutable(rep({ state, reasonCode: "lunch" }), routing(), "support")).toEqual(["state"]);
  });

  it("gives the state alone for an available rep the acd marked not responding", () => {
    expect(whyNotRoutable(rep(), routing({ notResponding: true }), "support")).toEqual(["state"]);
  });

  it("gives no live connection alone for an available rep without a connection", () => {
    expect(whyNotRoutable(rep({ liveConnections: 0 }), routing(), "support")).toEqual(["no_live_connection"]);
  });

  it("gives no free capacity alone once his load reaches his capacity, and beyond it", () => {
    expect(whyNotRoutable(rep(), routing({ load: 2 }), "support")).toEqual(["no_free_capacity"]);
    expect(whyNotRoutable(rep({ capacity: 1 }), routing({ load: 3 }), "support")).toEqual(["no_free_capacity"]);
  });

  it("gives not logged in to team alone for a team he did not log in to, and only when a team is asked about", () => {
    expect(whyNotRoutable(rep(), routing(), "sales")).toEqual(["not_logged_in_to_team"]);
    expect(whyNotRoutable(rep({ teamIds: [] }), routing())).toEqual([]);
  });

  it("gives every reason at once, in a fixed order, for a logged-out rep who still holds a session", () => {
    const loggedOut = rep({ state: "offline", reasonCode: "logged-out", teamIds: [], liveConnections: 0, capacity: 1 });
    expect(whyNotRoutable(loggedOut, routing({ load: 1 }), "support")).toEqual([
      "state",
      "no_live_connection",
      "no_free_capacity",
      "not_logged_in_to_team",
    ]);
  });

  it("gives each pair of reasons together without the others", () => {
    expect(whyNotRoutable(rep({ state: "busy", liveConnections: 0 }), routing(), "support")).toEqual([
      "state",
      "no_live_connection",
    ]);
    expect(whyNotRoutable(rep(), routing({ load: 2, notResponding: true }), "sales")).toEqual([
      "state",
      "no_free_capacity",
      "not_logged_in_to_team",
    ]);
    expect(whyNotRoutable(rep({ liveConnections: 0 }), routing({ load: 2 }))).toEqual([
      "no_live_connection",
      "no_free_capacity",
    ]);
  });
});
