import { createParser } from "eventsource-parser";

export interface StreamFrame<T> {
  id: string | undefined;
  event: string | undefined;
  data: T;
}

/** A live stream read as the wallboard reads it (fetch, bearer token), its frames and comments kept. */
export interface SseClient<T> {
  status: number;
  /** The problem body when the stream was refused. */
  problem: Record<string, unknown> | undefined;
  frames: StreamFrame<T>[];
  comments: string[];
  /** The first frame from index `from` on that `matches`, or a failure after `timeoutMs`. */
  next(matches: (data: T) => boolean, timeoutMs?: number, from?: number): Promise<StreamFrame<T>>;
  close(): void;
}

export async function openSse<T>(url: string, headers: Record<string, string>): Promise<SseClient<T>> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const frames: StreamFrame<T>[] = [];
  const comments: string[] = [];
  let ended = false;
  if (response.ok && response.body) {
    const parser = createParser({
      onEvent: (event) => frames.push({ id: event.id, event: event.event, data: JSON.parse(event.data) as T }),
      onComment: (comment) => comments.push(comment),
    });
    void (async () => {
      try {
        for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) parser.feed(chunk);
      } catch {
        // Aborted by close().
      } finally {
        ended = true;
      }
    })();
  }
  const problem = response.ok ? undefined : ((await response.json()) as Record<string, unknown>);
  return {
    status: response.status,
    problem,
    frames,
    comments,
    async next(matches, timeoutMs = 20_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = frames.slice(from).find((f) => matches(f.data));
        if (found) return found;
        if (ended || Date.now() > deadline)
          throw new Error(`no matching frame in ${timeoutMs} ms (${frames.length} frames, ended: ${ended})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => controller.abort(),
  };
}
