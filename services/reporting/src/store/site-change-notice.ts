import type { Tx } from "./transaction";

/**
 * The PostgreSQL channel every reporting replica LISTENs on; the payload is a site id. Sent inside the
 * ingest transaction, so it is delivered only when the change commits, and PostgreSQL folds identical
 * notices of one transaction into one.
 */
export const SITE_CHANGED_CHANNEL = "reporting_site_changed";

/** Tells every replica's live stream that the figures of `siteIds` changed (on commit), in one statement. */
export async function notifySitesChanged(tx: Tx, siteIds: readonly string[]): Promise<void> {
  if (siteIds.length === 0) return;
  await tx.query("select pg_notify($1, site) from unnest($2::text[]) as site", [
    SITE_CHANGED_CHANNEL,
    [...new Set(siteIds)],
  ]);
}
