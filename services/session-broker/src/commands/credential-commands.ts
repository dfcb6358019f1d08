import type { Logger, PgPool } from "@handoff/runtime";
import type { CredentialHasher } from "../domain/credential-hash";
import { CredentialRejectedError } from "../domain/errors";
import type { SessionStore } from "../store/session-store";
import type { SettingsStore } from "../store/settings-store";
import type { CredentialRedemption, RedeemedPlacement } from "./credential-redemption";

/** TEMPORARY: session keys, invitations and access links are being built (see the issue). */
export class CredentialCommands implements CredentialRedemption {
  constructor(
    readonly pool: PgPool,
    readonly store: SessionStore,
    readonly settings: SettingsStore,
    readonly hasher: CredentialHasher,
    readonly logger: Logger,
  ) {}

  redeemSessionKey(): Promise<RedeemedPlacement> {
    return Promise.reject(new CredentialRejectedError());
  }

  redeemInvitation(): Promise<RedeemedPlacement> {
    return Promise.reject(new CredentialRejectedError());
  }
}
