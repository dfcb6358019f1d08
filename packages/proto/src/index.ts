import path from "node:path";

export { ID_PATTERN, MAX_ID_LENGTH, TOPICS } from "./contract";

/** Path of the binary FileDescriptorSet of protos/ (for gRPC server reflection). */
export const descriptorSetPath = path.join(__dirname, "..", "descriptors.binpb");
