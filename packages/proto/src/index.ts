import path from "node:path";

/** Path of the binary FileDescriptorSet of protos/ (for gRPC server reflection). */
export const descriptorSetPath = path.join(__dirname, "..", "descriptors.binpb");
