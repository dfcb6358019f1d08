import type { ChannelOptions } from "@grpc/grpc-js";

/**
 * The largest gRPC message any Handoff server or client sends or receives, one value for both ends so a
 * message one side may send is one the other may receive (grpc-js's own defaults differ: 4 MiB to
 * receive, unlimited to send). A larger message is RESOURCE_EXHAUSTED on the side that meets it. Every
 * answer a service builds must stay below it: e.g. the acd bounds a routing config's encoded size to
 * half of it (`MAX_ROUTING_CONFIG_BYTES`).
 * @default 4194304
 */
export const MAX_GRPC_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The channel options that set both message-size limits, for servers and clients alike. */
export function messageSizeOptions(): ChannelOptions {
  return {
    "grpc.max_receive_message_length": MAX_GRPC_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_GRPC_MESSAGE_BYTES,
  };
}
