export { startTelemetry, stopTelemetry } from "./start-telemetry";
