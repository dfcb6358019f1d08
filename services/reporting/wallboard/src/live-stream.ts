import { createParser } from "eventsource-parser";
import type { Snapshot } from "./snapshot";

/** The server sends a heartbeat every 15 s by default: silence for this long means a dead connection. */
const SILENCE_MS = 45_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export interface LiveStreamOptions {
  /** The stream's URL with its query (time zone, thresholds). */
  url: string;
  /** Asked on every (re)connection, so a lapsed token is replaced. */
  token(): Promise<string>;
  snapshot(snapshot: Snapshot): void;
  status(state: "connecting" | "live" | "reconnecting", detail?: string): void;
}

/**
 * Follows the supervisor stream with fetch (not EventSource, which cannot send the token in a
 * header): parses its frames with eventsource-parser, and reconnects with a growing pause when it
 * ends, fails or falls silent. Every frame is a whole snapshot, so a reconnection loses nothing.
 */
export function followLiveStream(options: LiveStreamOptions): { stop(): void } {
  let stopped = false;
  let current: AbortController | undefined;
  let lastEventId: string | undefined;

  async function once(): Promise<void> {
    const controller = new AbortController();
    current = controller;
    let silence = setTimeout(() => controller.abort(), SILENCE_MS);
    const response = await fetch(options.url, {
      headers: {
        authorization: `Bearer ${await options.token()}`,
        accept: "text/event-stream",
        ...(lastEventId ? { "last-event-id": lastEventId } : {}),
      },
      signal: controller.signal,
      cache: "no-store",
    });
    if (!response.ok || !response.body) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; reason?: string };
      throw new Error(`${problem.detail ?? `HTTP ${response.status}`}${problem.reason ? ` (${problem.reason})` : ""}`);
    }
    const parser = createParser({
      onEvent(event) {
        if (event.event !== "snapshot") return;
        lastEventId = event.id;
        options.snapshot(JSON.parse(event.data) as Snapshot);
        options.status("live");
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        clearTimeout(silence);
        silence = setTimeout(() => controller.abort(), SILENCE_MS);
        parser.feed(value);
      }
    } finally {
      clearTimeout(silence);
    }
  }

  void (async () => {
    let retryMs = RETRY_MIN_MS;
    options.status("connecting");
    while (!stopped) {
      const startedAt = Date.now();
      let detail = "the stream ended";
      try {
        await once();
      } catch (error) {
        detail = error instanceof Error ? error.message : String(error);
      }
      if (stopped) return;
      // A stream that lived a while starts the pauses over.
      if (Date.now() - startedAt > RETRY_MAX_MS) retryMs = RETRY_MIN_MS;
      options.status("reconnecting", detail);
      await new Promise((resolve) => setTimeout(resolve, retryMs * (0.5 + Math.random() / 2)));
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  })();

  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}
