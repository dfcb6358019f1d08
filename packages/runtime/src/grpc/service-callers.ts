import type { AcdServiceService } from "@handoff/proto/acd_service";
import type { PresenceServiceService } from "@handoff/proto/presence_service";
import type { SessionBrokerServiceService } from "@handoff/proto/session_broker_service";
import type { ServiceIdentity } from "./service-identity";

/**
 * Which service may call which method of a gRPC service: every method of the generated definition must
 * be listed (a new RPC does not compile until it is), and a caller not listed gets PERMISSION_DENIED.
 */
export type ServiceCallers<D> = { readonly [M in keyof D]: readonly ServiceIdentity[] };

const BROKER: readonly ServiceIdentity[] = ["session-broker"];
const INTAKE: readonly ServiceIdentity[] = ["intake"];

/**
 * The acd: only the broker drives sessions and offers; only presence sets capacity; only the admin path
 * (intake's site administration) puts routing configs.
 */
export const ACD_CALLERS: ServiceCallers<typeof AcdServiceService> = {
  putRoutingConfig: INTAKE,
  retireSite: INTAKE,
  getRoutingConfig: ["intake", "session-broker", "presence"],
  enqueueSession: BROKER,
  abandonSession: BROKER,
  acceptOffer: BROKER,
  rejectOffer: BROKER,
  endSession: BROKER,
  transferSession: BROKER,
  handOverSession: BROKER,
  pullNextSession: BROKER,
  setRepCapacity: ["presence"],
  getQueuePosition: ["session-broker", "intake"],
  batchGetQueuePositions: ["intake"],
  estimateWait: INTAKE,
  getTeamAvailability: BROKER,
  getSessionRouting: BROKER,
  getRepRouting: ["presence", "session-broker"],
  subscribeOffers: BROKER,
  rebuildQueues: BROKER,
  requeueSession: BROKER,
  batchGetSessionRouting: BROKER,
  setAwayFlag: BROKER,
};

/**
 * Presence: the broker acts for reps (its agent API checked their tokens); the acd reports expired
 * offers; intake lists a team's reps for the portal and puts the site's presence settings (admin).
 */
export const PRESENCE_CALLERS: ServiceCallers<typeof PresenceServiceService> = {
  login: BROKER,
  logout: BROKER,
  setState: BROKER,
  setCapacity: BROKER,
  heartbeat: BROKER,
  disconnect: BROKER,
  reportOfferExpired: ["acd"],
  getRep: BROKER,
  listTeamReps: ["intake", "session-broker"],
  countTeamStates: ["session-broker", "reporting"],
  explainRoutability: BROKER,
  putPresenceSettings: INTAKE,
  forgetSite: INTAKE,
};

/**
 * The broker: intake acts for the customer (checked by the per-session customer token) and puts the
 * broker settings (admin); the agent API, which runs in the broker, acts for reps and supervisors.
 */
export const SESSION_BROKER_CALLERS: ServiceCallers<typeof SessionBrokerServiceService> = {
  createSession: INTAKE,
  getSession: ["intake", "session-broker"],
  closeSession: ["intake", "session-broker"],
  setCustomerAway: INTAKE,
  callCustomerBack: INTAKE,
  resumeSession: INTAKE,
  acceptSessionOffer: BROKER,
  rejectSessionOffer: BROKER,
  takeNextSession: BROKER,
  transferActiveSession: BROKER,
  inviteRep: BROKER,
  answerRepInvitation: BROKER,
  handOverControl: BROKER,
  leaveSession: BROKER,
  listRepSessions: BROKER,
  createSessionKey: BROKER,
  createInvitation: BROKER,
  revokeInvitation: BROKER,
  createAccessLink: BROKER,
  useAccessLink: ["intake", "session-broker"],
  revokeAccessLink: BROKER,
  requestPermission: BROKER,
  answerPermission: INTAKE,
  revokePermission: INTAKE,
  requestFileSend: INTAKE,
  answerFileSend: BROKER,
  sendChatMessage: ["intake", "session-broker"],
  nudge: BROKER,
  addNote: BROKER,
  submitCustomerSurvey: INTAKE,
  submitRepSurvey: BROKER,
  watchSession: ["intake", "session-broker"],
  listSessionEvents: ["intake", "session-broker"],
  getSessionReport: ["session-broker", "reporting"],
  putBrokerSettings: INTAKE,
  getBrokerSettings: ["intake", "session-broker"],
};
