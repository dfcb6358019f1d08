import { describe, expect, it } from "vitest";
import { ConfigInvalidError } from "../../src/config/load-config";
import { createLogger, logFormatFrom, prettyDestination } from "../../src/logging/logger";

describe("log format", () => {
  it("is pretty in a terminal and JSON anywhere else, unless LOG_FORMAT says which", () => {
    expect(logFormatFrom({}, true)).toBe("pretty");
    expect(logFormatFrom({}, false)).toBe("json");
    expect(logFormatFrom({ LOG_FORMAT: "json" }, true)).toBe("json");
    expect(logFormatFrom({ LOG_FORMAT: "pretty" }, false)).toBe("pretty");
  });

  it("refuses an unknown LOG_FORMAT, naming the variable", () => {
    expect(() => logFormatFrom({ LOG_FORMAT: "yaml" }, true)).toThrow(ConfigInvalidError);
    expect(() => logFormatFrom({ LOG_FORMAT: "yaml" }, true)).toThrow(/LOG_FORMAT="yaml"/);
  });

  it("prints one line an event with the time, level, service and fields", () => {
    const written: string[] = [];
    const destination = prettyDestination({ write: (text) => written.push(text) }, false);
    expect(destination).toBeDefined();
    const logger = createLogger("acd", "info", destination);
    logger.info({ grpcPort: 50051 }, "acd listening");
    logger.child({ component: "kafkajs" }).warn("broker slow");
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(acd\): acd listening \{"grpcPort":50051\}\n$/);
    expect(written[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(acd\): kafkajs: broker slow\n$/);
  });

  it("colours the level and message when asked", () => {
    const written: string[] = [];
    const logger = createLogger("acd", "info", prettyDestination({ write: (text) => written.push(text) }, true));
    logger.info("coloured");
    // eslint-disable-next-line no-control-regex
    expect(written[0]).toMatch(/\u001b\[32mINFO\u001b\[39m/);
  });
});
