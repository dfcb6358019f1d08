import type { Logger, StreamsPerCaller } from "@handoff/runtime";
import type { CredentialCommands } from "../commands/credential-commands";
import type { CredentialRedemption } from "../commands/credential-redemption";
import type { CustomerAway } from "../commands/customer-away";
import type { ConversationCommands } from "../commands/conversation-commands";
import type { FileSendCommands } from "../commands/file-send-commands";
import type { ParticipantCommands } from "../commands/participant-commands";
import type { PermissionCommands } from "../commands/permission-commands";
import type { SessionFeed } from "../commands/session-feed";
import type { SessionLifecycle } from "../commands/session-lifecycle";
import type { SessionReports } from "../commands/session-report";
import type { SessionViews } from "../commands/session-views";
import type { CredentialHasher } from "../domain/credential-hash";
import type { AcdPort } from "../routing/acd-port";
import type { RepOfferFeed } from "../routing/rep-offer-feed";
import type { OfferStore } from "../store/offer-store";
import type { ParticipantStore } from "../store/participant-store";
import type { SessionStore } from "../store/session-store";
import type { SettingsStore } from "../store/settings-store";

/** What the gRPC handler groups are built from (wired once in main.ts). */
export interface BrokerDeps {
  logger: Logger;
  store: SessionStore;
  participants: ParticipantStore;
  offers: OfferStore;
  settings: SettingsStore;
  acd: AcdPort;
  hasher: CredentialHasher;
  lifecycle: SessionLifecycle;
  customerAway: CustomerAway;
  views: SessionViews;
  redemption: CredentialRedemption;
  credentials: CredentialCommands;
  participantCommands: ParticipantCommands;
  permissionCommands: PermissionCommands;
  conversation: ConversationCommands;
  fileSends: FileSendCommands;
  feed: SessionFeed;
  reports: SessionReports;
  /** Live offers of the reps whose desktops are connected to this replica (the agent API's feed). */
  repOffers: RepOfferFeed;
  /** Open WatchSession streams per caller identity (MAX_STREAMS_PER_CALLER). */
  watchStreams: StreamsPerCaller;
}
