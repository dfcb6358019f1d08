import { describe, expect, it } from "vitest";
import { StreamsPerCaller } from "../../src/grpc/streams-per-caller";

describe("StreamsPerCaller", () => {
  it("counts each caller's open streams up to the limit, and a release once only", () => {
    const streams = new StreamsPerCaller(2);
    const a1 = streams.tryOpen("intake");
    const a2 = streams.tryOpen("intake");
    expect(streams.tryOpen("intake")).toBeUndefined();
    // Another caller has its own count.
    expect(streams.tryOpen("session-broker")).toBeDefined();
    a1!();
    a1!();
    expect(streams.count("intake")).toBe(1);
    const a3 = streams.tryOpen("intake");
    expect(a3).toBeDefined();
    expect(streams.tryOpen("intake")).toBeUndefined();
    a2!();
    a3!();
    expect(streams.count("intake")).toBe(0);
  });
});
