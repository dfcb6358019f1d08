import { status } from "@grpc/grpc-js";
import { GrpcStatusError } from "./errors";

/** Ends one open server stream with the given error as its status. */
type StreamEnder = (error: GrpcStatusError) => void;

/**
 * The server streams this process has open (every `serverStream` handler registers its call). A stream
 * such as SubscribeOffers or WatchSession never finishes by itself, so a draining server that waited
 * for it would wait out its whole drain bound; it is ended instead, once the server has stopped
 * accepting and told its clients to go (GOAWAY), with UNAVAILABLE, which its client answers by
 * opening it again, on a replica that serves.
 */
const open = new Set<StreamEnder>();

/** Registers an open stream; the returned function forgets it (the stream ended by itself). */
export function trackOpenStream(end: StreamEnder): () => void {
  open.add(end);
  return () => open.delete(end);
}

/** Ends every open server stream of this process with UNAVAILABLE; returns how many there were. */
export function endOpenStreams(): number {
  const ending = [...open];
  open.clear();
  for (const end of ending) end(new GrpcStatusError(status.UNAVAILABLE, "this replica is shutting down; call again"));
  return ending.length;
}
