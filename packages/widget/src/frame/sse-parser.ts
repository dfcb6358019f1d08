// Server-Sent Events framing (the WHATWG event-stream format, the part intake sends): lines of
// `event:`, `data:` and `id:`, a blank line ends a frame, `:` starts a comment. The portal stream is
// read with fetch (so the customer token travels in a header, never in a URL), hence a parser of our own.

export interface SseFrame {
  event: string;
  data: string;
  /** The frame's `id:` (a session event's sequence), when it has one. */
  id: string | null;
}

/** A frame's data above this is refused: intake's largest (a 4,000-character chat) is far below. */
const MAX_FRAME_CHARS = 64_000;

/** Feeds chunks of text in; hands out each complete frame. */
export class SseParser {
  private buffer = "";

  constructor(private readonly onFrame: (frame: SseFrame) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      this.frame(block);
    }
    if (this.buffer.length > MAX_FRAME_CHARS) throw new Error("event stream frame too large");
  }

  private frame(block: string): void {
    let event = "message";
    let id: string | null = null;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (name === "event") event = value;
      else if (name === "data") data.push(value);
      else if (name === "id") id = value;
    }
    if (data.length > 0) this.onFrame({ event, data: data.join("\n"), id });
  }
}
