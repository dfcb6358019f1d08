import { Metadata, type ClientReadableStream, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import type { SessionEvent } from "@handoff/proto/events";
import type { WatchSessionRequest, WatchSessionResponse } from "@handoff/proto/session_broker_service";
import { eventually, type SessionBroker } from "@handoff/testing";

/** A WatchSession stream and what it received so far. */
export class Watch {
  readonly events: SessionEvent[] = [];
  error?: ServiceError;
  status?: StatusObject;
  ended = false;
  private readonly call: ClientReadableStream<WatchSessionResponse>;

  constructor(client: SessionBroker, request: WatchSessionRequest) {
    this.call = client.raw.watchSession(request, new Metadata());
    this.call.on("data", (response: WatchSessionResponse) => this.events.push(response.event!));
    this.call.on("error", (error: ServiceError) => (this.error = error));
    this.call.on("status", (s: StatusObject) => (this.status = s));
    this.call.on("end", () => (this.ended = true));
  }

  get sequences(): number[] {
    return this.events.map((e) => e.sequence);
  }

  /** Waits until an event with `sequence` (or later) arrived. */
  async until(sequence: number, timeoutMs = 10_000): Promise<SessionEvent[]> {
    await eventually(() => (this.events.at(-1)?.sequence ?? 0) >= sequence, timeoutMs, `sequence ${sequence}`);
    return this.events;
  }

  /** Waits for the stream's status. */
  async closed(timeoutMs = 10_000): Promise<StatusObject> {
    return eventually(() => this.status, timeoutMs, "the stream's status");
  }

  cancel(): void {
    this.call.cancel();
  }
}
