import { context, trace, TraceFlags } from "@opentelemetry/api";
import { createLogger } from "@handoff/runtime";
import { startTelemetry, stopTelemetry } from "@handoff/runtime/telemetry";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";

describe("logger", () => {
  afterAll(() => stopTelemetry());

  it("writes the active span's trace id and span id on every line", () => {
    startTelemetry("logger-test");
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("logger-test", "info", sink);
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const parent = trace.setSpanContext(context.active(), {
      traceId,
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(parent, () => {
      const span = trace.getTracer("test").startSpan("work");
      context.with(trace.setSpan(context.active(), span), () => logger.info("inside a span"));
      span.end();
    });
    logger.info("outside any span");
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: "inside a span", trace_id: traceId, service: "logger-test" });
    expect(inside!.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outside).not.toHaveProperty("trace_id");
  });
});
