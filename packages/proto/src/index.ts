import path from "node:path";

export { ID_PATTERN, MAX_ID_LENGTH, MAX_LABEL_LENGTH, TOPIC_CONFIGS, TOPICS } from "./contract";

/** The folder holding the `.proto` sources (`handoff/v1/*.proto`), for gRPC server reflection. */
export const protoRoot = path.join(__dirname, "..", "protos");
