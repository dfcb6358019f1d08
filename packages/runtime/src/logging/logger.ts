import { trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { PrettyOptions } from "pino-pretty";
import { ConfigInvalidError } from "../config/load-config";

export type { Logger };

/** How log lines are written: one JSON object a line, or pino-pretty's coloured one-liners. */
export type LogFormat = "json" | "pretty";

/**
 * The format from `LOG_FORMAT` (`json` or `pretty`); when it is unset, `pretty` if stdout is a
 * terminal and `json` otherwise, so production and anything reading the output get JSON.
 * @throws ConfigInvalidError naming LOG_FORMAT when it holds anything else.
 */
export function logFormatFrom(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const value = env["LOG_FORMAT"];
  if (value === undefined || value === "") return stdoutIsTty ? "pretty" : "json";
  if (value === "json" || value === "pretty") return value;
  throw new ConfigInvalidError([`LOG_FORMAT=${JSON.stringify(value)}: expected "json" or "pretty"`]);
}

/**
 * pino-pretty settings for a terminal: one line an event, `[12:00:00.000] INFO (acd): message
 * {"field":1}` (an error's stack follows on its own lines). The service is the `(name)`; trace ids
 * are left to the JSON format.
 */
export const PRETTY_OPTIONS: PrettyOptions = {
  singleLine: true,
  translateTime: "SYS:HH:MM:ss.l",
  ignore: "pid,hostname,service,trace_id,span_id,trace_flags,component",
  messageFormat: "{if component}{component}: {end}{msg}",
};

type PrettyFactory = (options: PrettyOptions) => (line: string) => string;

/**
 * A destination that turns each JSON line into pino-pretty's form and hands it to `target`, or
 * undefined when pino-pretty is not installed: it is a root dev dependency, so a checkout has it and
 * a production install (`--omit=dev`) does not. It formats in the calling thread, synchronously,
 * rather than through pino-pretty's transport: no worker thread per service for a development
 * convenience, and the last lines before `process.exit` are not lost.
 * @param colorize defaults to whether the terminal takes colours (NO_COLOR, FORCE_COLOR, a TTY)
 */
export function prettyDestination(
  target: { write(text: string): unknown },
  colorize?: boolean,
): DestinationStream | undefined {
  let prettyFactory: PrettyFactory;
  try {
    // Loaded only when asked for, so a production image never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prettyFactory = (require("pino-pretty") as { prettyFactory: PrettyFactory }).prettyFactory;
  } catch {
    return undefined;
  }
  const prettify = prettyFactory(colorize === undefined ? PRETTY_OPTIONS : { ...PRETTY_OPTIONS, colorize });
  return { write: (line: string) => target.write(prettify(line)) };
}

/**
 * A pino logger whose lines carry the service name and the active span's trace_id and span_id.
 * Without `destination` it writes to stdout in the format {@link logFormatFrom} picks.
 */
export function createLogger(service: string, level = "info", destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
  if (destination) return pino(options, destination);
  if (logFormatFrom(process.env, process.stdout.isTTY === true) === "pretty") {
    const pretty = prettyDestination(pino.destination({ dest: 1, sync: true }));
    if (pretty) return pino(options, pretty);
    const logger = pino(options);
    logger.info("LOG_FORMAT=pretty needs the pino-pretty dev dependency, which is not installed; writing JSON");
    return logger;
  }
  return pino(options);
}
