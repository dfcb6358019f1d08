import { request, type ClientRequest } from "node:http";

/** A frame name as it appears on the wire; a frame is written whole, but a chunk may still split it. */
const MARKER = "event: position\n";

/**
 * Customers' live streams (Server-Sent Events) held open by the bench, counting `position` frames
 * without parsing them: the figure is how many reached the customers, not what they said.
 */
export class SseStreams {
  /** position frames received on every stream together. */
  positions = 0;
  /** performance.now() of the last position frame. */
  lastPositionAtMs = 0;
  /** Streams that ended or failed before `close`. */
  ended = 0;
  private readonly requests: ClientRequest[] = [];
  private closing = false;

  /** Opens one stream; resolves when its answer's headers arrived (200), rejects otherwise. */
  open(url: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`stream: ${res.statusCode}`));
          return;
        }
        res.setEncoding("utf8");
        let tail = "";
        res.on("data", (chunk: string) => {
          const text = tail + chunk;
          let at = text.indexOf(MARKER);
          while (at !== -1) {
            this.positions++;
            this.lastPositionAtMs = performance.now();
            at = text.indexOf(MARKER, at + MARKER.length);
          }
          tail = text.slice(-(MARKER.length - 1));
        });
        res.on("close", () => {
          if (!this.closing) this.ended++;
        });
        resolve();
      });
      req.on("error", (error) => {
        if (!this.closing) reject(error);
      });
      req.end();
      this.requests.push(req);
    });
  }

  get held(): number {
    return this.requests.length - this.ended;
  }

  close(): void {
    this.closing = true;
    for (const req of this.requests.splice(0)) req.destroy();
  }
}
