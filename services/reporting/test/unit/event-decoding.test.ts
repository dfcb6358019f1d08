import { RoutingEvent } from "@handoff/proto/events";
import type { ConsumedEvent } from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { decodeEvent } from "../../src/events/event-decoding";
import { EventLogBuilder, team } from "../support/event-log-builder";

const queuedEvent = () => new EventLogBuilder("site-a").queued(1_700_000_000_000, "s1", team("t1")).events[0]!.message;

function consumed(value: Uint8Array, headers: Partial<ConsumedEvent["headers"]> = {}): ConsumedEvent {
  return {
    topic: "handoff.routing.v1",
    partition: 0,
    offset: "7",
    key: "s1",
    value: Buffer.from(value),
    headers: {
      eventId: "site-a/1700000000000-0",
      eventType: "SessionQueued",
      schemaVersion: 1,
      traceparent: "",
      ...headers,
    },
  };
}

describe("event decoding", () => {
  it("reads a producer's event with its columns and its order in the outbox stream", () => {
    const result = decodeEvent("routing", consumed(queuedEvent().value));
    expect(result).toMatchObject({
      ok: true,
      event: {
        source: "routing",
        eventId: "site-a/1700000000000-0",
        eventType: "SessionQueued",
        siteId: "site-a",
        sessionId: "s1",
        occurredAtMs: 1_700_000_000_000,
        streamMs: 1_700_000_000_000,
        streamSeq: 0,
      },
    });
  });

  it("refuses an unknown schema version, naming it", () => {
    expect(decodeEvent("routing", consumed(queuedEvent().value, { schemaVersion: 2 }))).toEqual({
      ok: false,
      reason: "unknown schema version 2; this build reads 1",
    });
  });

  it("refuses bytes that are not the topic's envelope", () => {
    const result = decodeEvent("routing", consumed(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^undecodable: /);
  });

  it("refuses an event whose payload case this build does not know", () => {
    const event = RoutingEvent.decode(queuedEvent().value);
    event.payload = undefined;
    const result = decodeEvent(
      "routing",
      consumed(RoutingEvent.encode(event).finish(), { eventType: "SessionTeleported" }),
    );
    expect(result).toEqual({ ok: false, reason: 'unknown event type "SessionTeleported"' });
  });

  it("refuses an event whose id header contradicts its payload", () => {
    const result = decodeEvent("routing", consumed(queuedEvent().value, { eventId: "site-a/1-0" }));
    expect(result).toEqual({
      ok: false,
      reason: "event-id header site-a/1-0 differs from the payload's site-a/1700000000000-0",
    });
  });

  it("refuses text PostgreSQL cannot store", () => {
    const event = RoutingEvent.decode(queuedEvent().value);
    event.siteId = "site\u0000a";
    event.eventId = "";
    const result = decodeEvent("routing", consumed(RoutingEvent.encode(event).finish(), { eventId: "" }));
    expect(result).toEqual({ ok: false, reason: "no event id" });
    event.eventId = "site-a/1-0";
    const withNul = decodeEvent("routing", consumed(RoutingEvent.encode(event).finish(), { eventId: "" }));
    expect(withNul).toEqual({ ok: false, reason: "a text field holds a NUL character" });
  });

  it("reads a site's settings, ordered by their portal config version, and refuses settings it cannot apply", () => {
    const settings = (timeZone: string, serviceLevelThresholdMs = 30_000) =>
      new EventLogBuilder("site-a").siteSettings(1_700_000_000_000, 4, {
        timeZone,
        serviceLevelThresholdMs,
        shortAbandonThresholdMs: 5_000,
      }).events[0]!.message;
    const site = (value: Uint8Array) =>
      decodeEvent("sites", {
        ...consumed(value, { eventId: "site-a/portal-config/4", eventType: "SiteSettingsChanged" }),
        topic: "handoff.sites.v1",
      });
    expect(site(settings("Europe/Berlin").value)).toMatchObject({
      ok: true,
      event: { source: "sites", eventType: "SiteSettingsChanged", siteId: "site-a", streamSeq: 4, sessionId: "" },
    });
    expect(site(settings("Mars/Olympus").value)).toEqual({
      ok: false,
      reason: 'site settings name an unknown time zone "Mars/Olympus"',
    });
    expect(site(settings("UTC", 7_200_000).value)).toEqual({
      ok: false,
      reason: "service level threshold 7200000 ms is out of 0..3600000",
    });
  });
});
