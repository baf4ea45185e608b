import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from "kysely/migration";
import type { Db } from "./database.ts";
import * as foundation from "./migrations/2026_11_27_001_foundation.ts";
import * as emailInbound from "./migrations/2026_11_27_002_email_inbound.ts";
import * as emailOutbound from "./migrations/2026_11_27_003_email_outbound.ts";
import * as surveysMetrics from "./migrations/2026_11_27_004_surveys_metrics.ts";
import * as widget from "./migrations/2026_11_28_005_widget.ts";
import * as helpCenter from "./migrations/2026_11_28_006_help_center.ts";
import * as customerSuccess from "./migrations/2026_11_28_007_customer_success.ts";
import * as sequencesFeatures from "./migrations/2026_11_28_008_sequences_features.ts";
import * as savedReplies from "./migrations/2026_11_28_009_saved_replies.ts";
import * as agentAvatars from "./migrations/2026_11_28_010_agent_avatars.ts";
import * as chatOfflineEmail from "./migrations/2026_11_28_011_chat_offline_email.ts";
import * as retentionHistory from "./migrations/2026_11_28_012_retention_history.ts";
import * as lifecycleBounces from "./migrations/2026_11_28_013_lifecycle_bounces.ts";
import * as hygiene from "./migrations/2026_11_28_014_hygiene.ts";
import * as chatUploadsLanguage from "./migrations/2026_11_28_016_chat_uploads_language.ts";
import * as eventOutbox from "./migrations/2026_12_08_017_event_outbox.ts";

/** Migrations are listed here explicitly so that they work the same from source and from any bundle. */
const migrations: Record<string, Migration> = {
  "2026_11_27_001_foundation": foundation,
  "2026_11_27_002_email_inbound": emailInbound,
  "2026_11_27_003_email_outbound": emailOutbound,
  "2026_11_27_004_surveys_metrics": surveysMetrics,
  "2026_11_28_005_widget": widget,
  "2026_11_28_006_help_center": helpCenter,
  "2026_11_28_007_customer_success": customerSuccess,
  "2026_11_28_008_sequences_features": sequencesFeatures,
  "2026_11_28_009_saved_replies": savedReplies,
  "2026_11_28_010_agent_avatars": agentAvatars,
  "2026_11_28_011_chat_offline_email": chatOfflineEmail,
  "2026_11_28_012_retention_history": retentionHistory,
  "2026_11_28_013_lifecycle_bounces": lifecycleBounces,
  "2026_11_28_014_hygiene": hygiene,
  "2026_11_28_016_chat_uploads_language": chatUploadsLanguage,
  "2026_12_08_017_event_outbox": eventOutbox,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; safe to call from several instances at once (Kysely takes a lock). */
export async function migrateToLatest(
  db: Db,
  onProgress: (message: string) => void = () => {},
): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "keepwell_migrations",
    migrationLockTableName: "keepwell_migrations_lock",
  });
  const result = await migrator.migrateToLatest();
  for (const step of result.results ?? []) onProgress(`migration ${step.migrationName}: ${step.status}`);
  if (result.error) throw result.error;
  return result;
}
