import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, invalid, isDatabaseError, PG_UNIQUE_VIOLATION } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { getInbox } from "../inboxes/service.ts";
import { getWorkspace } from "../workspaces/service.ts";
import { announceChange } from "./cache.ts";
import type { UpdateHelpCenterSettingsBody } from "./schemas.ts";

export type HelpSettingsInput = Static<typeof UpdateHelpCenterSettingsBody>;

export interface HelpSettings {
  enabled: boolean;
  title: string | null;
  custom_domain: string | null;
  logo_url: string | null;
  color: string;
  default_language: string;
  contact_email: string | null;
  chat_url: string | null;
  callback_url: string | null;
  contact_inbox_id: string | null;
}

/** A new workspace's help center is off until someone publishes it. */
export const DEFAULT_HELP_SETTINGS: HelpSettings = {
  enabled: false,
  title: null,
  custom_domain: null,
  logo_url: null,
  color: "#1d4ed8",
  default_language: "en",
  contact_email: null,
  chat_url: null,
  callback_url: null,
  contact_inbox_id: null,
};

const columns = [
  "enabled",
  "title",
  "custom_domain",
  "logo_url",
  "color",
  "default_language",
  "contact_email",
  "chat_url",
  "callback_url",
  "contact_inbox_id",
] as const;

export async function helpSettingsOf(db: Db, workspaceId: string): Promise<HelpSettings> {
  const row = await db
    .selectFrom("help_center_settings")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  return row ?? { ...DEFAULT_HELP_SETTINGS };
}

/** The workspace whose help center a custom domain serves, if any. */
export async function workspaceOfDomain(db: Db, host: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("help_center_settings")
    .select("workspace_id")
    .where("custom_domain", "=", host.toLowerCase())
    .executeTakeFirst();
  return row?.workspace_id;
}

/** Where the public help center lives: its custom domain when it has one, else /help/<slug>. */
export function publicBase(
  ctx: AppContext,
  slug: string,
  settings: Pick<HelpSettings, "custom_domain">,
): string {
  const base = new URL(ctx.config.baseUrl);
  if (settings.custom_domain) return `${base.protocol}//${settings.custom_domain}`;
  return `${base.origin}/help/${encodeURIComponent(slug)}`;
}

export async function showHelpSettings(ctx: AppContext, principal: Principal) {
  const workspace = await getWorkspace(ctx, principal.workspaceId);
  const settings = await helpSettingsOf(ctx.db, principal.workspaceId);
  return { ...settings, public_url: publicBase(ctx, workspace.slug, settings) };
}

export async function saveHelpSettings(ctx: AppContext, principal: Principal, input: HelpSettingsInput) {
  const workspace = await getWorkspace(ctx, principal.workspaceId);
  const saved = await ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await helpSettingsOf(trx, principal.workspaceId);
      if (input.contact_inbox_id) {
        await getInbox(trx, principal.workspaceId, input.contact_inbox_id).catch(() => {
          throw invalid("contact_inbox_id", "No inbox with this id in this workspace");
        });
      }
      const next: HelpSettings = { ...current };
      for (const key of columns) {
        if (input[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = input[key];
      }
      next.custom_domain = next.custom_domain?.toLowerCase() ?? null;
      next.default_language = next.default_language.toLowerCase();
      next.title = next.title?.trim() || null;
      if (next.custom_domain && next.custom_domain === new URL(ctx.config.baseUrl).hostname) {
        throw invalid("custom_domain", "This is Keepwell's own address; choose a domain of your own");
      }
      const values = { ...next, updated_at: ctx.now() };
      await trx
        .insertInto("help_center_settings")
        .values({ workspace_id: principal.workspaceId, ...values })
        .onConflict((oc) => oc.column("workspace_id").doUpdateSet(values))
        .execute();
      await recordAudit(trx, principal, {
        action: "help_center.settings_updated",
        targetType: "workspace",
        targetId: principal.workspaceId,
        data: { enabled: next.enabled, custom_domain: next.custom_domain },
      });
      return next;
    })
    .catch((error) => {
      if (isDatabaseError(error, PG_UNIQUE_VIOLATION)) {
        throw conflict("domain_taken", "Another workspace's help center uses this domain", "custom_domain");
      }
      throw error;
    });
  await announceChange(ctx, principal.workspaceId, { settings: true });
  return { ...saved, public_url: publicBase(ctx, workspace.slug, saved) };
}
