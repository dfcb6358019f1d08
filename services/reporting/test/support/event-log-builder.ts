// The builder lives in @handoff/testing (the reporting bench builds its load with it too).
export { EventLogBuilder, team, type LoggedEvent } from "@handoff/testing";
