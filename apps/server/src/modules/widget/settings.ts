import { randomBytes } from "node:crypto";
import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { conflict, invalid } from "../../lib/errors.ts";
import { secretBox } from "../../lib/secret-box.ts";
import { recordAudit } from "../audit/service.ts";
import { getInbox } from "../inboxes/service.ts";
import type { WidgetSettingsBody } from "./schemas.ts";

export type WidgetSettingsInput = Static<typeof WidgetSettingsBody>;

const columns = [
  "inbox_id",
  "public_key",
  "color",
  "greeting",
  "reply_time",
  "allowed_origins",
  "identity_secret",
  "require_verified",
  "offline_behaviour",
  "respect_business_hours",
  "languages",
  "updated_at",
] as const;

/** The inbox secret is stored sealed: the host site's server needs it back, so it is not hashed. */
const box = (ctx: AppContext) => secretBox(ctx.config.secret, "widget-identity");

export type WidgetRow = Awaited<ReturnType<typeof ensureWidget>>;

/** The public key goes into every embed snippet; it names the widget, it grants nothing. */
function newPublicKey(): string {
  return `kwc_${randomBytes(12).toString("base64url")}`;
}

/** A chat inbox of the workspace (404 for another workspace's, 409 for another channel). */
async function chatInbox(db: Db, workspaceId: string, inboxId: string) {
  const inbox = await getInbox(db, workspaceId, inboxId);
  if (inbox.channel !== "chat") {
    throw conflict("not_a_chat_inbox", "Only chat inboxes have a widget", "inbox_id");
  }
  return inbox;
}

/** The widget row of a chat inbox, created with defaults the first time anyone asks. */
export async function ensureWidget(db: Db, workspaceId: string, inboxId: string) {
  await chatInbox(db, workspaceId, inboxId);
  await db
    .insertInto("widget_settings")
    .values({ workspace_id: workspaceId, inbox_id: inboxId, public_key: newPublicKey() })
    .onConflict((oc) => oc.columns(["workspace_id", "inbox_id"]).doNothing())
    .execute();
  return db
    .selectFrom("widget_settings")
    .select(columns)
    .where("workspace_id", "=", workspaceId)
    .where("inbox_id", "=", inboxId)
    .executeTakeFirstOrThrow();
}

/** The widget a public key names, with its workspace; undefined for an unknown key. */
export async function widgetByKey(db: Db, publicKey: string) {
  return db
    .selectFrom("widget_settings")
    .select([...columns, "workspace_id"])
    .where("public_key", "=", publicKey)
    .executeTakeFirst();
}

export type PublicWidget = NonNullable<Awaited<ReturnType<typeof widgetByKey>>>;

export function identitySecretOf(ctx: AppContext, widget: { identity_secret: string | null }): string | null {
  return widget.identity_secret ? box(ctx).open(widget.identity_secret) : null;
}

export function embedSnippet(ctx: AppContext, publicKey: string): string {
  const base = ctx.config.baseUrl.replace(/\/$/, "");
  return `<script src="${base}/widget.js" data-keepwell-widget="${publicKey}" async></script>`;
}

export function presentWidget(ctx: AppContext, row: WidgetRow) {
  const { identity_secret, updated_at, ...rest } = row;
  return {
    ...rest,
    identity_secret_set: identity_secret !== null,
    snippet: embedSnippet(ctx, row.public_key),
    updated_at: new Date(updated_at).toISOString(),
  };
}

/** "https://Shop.example.com/" → "https://shop.example.com"; anything else than an http(s) origin is refused. */
export function normalizeOrigin(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(field, `"${value}" is not an origin such as https://shop.example.com`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname.length > 1 || url.search) {
    throw invalid(field, `"${value}" is not an origin such as https://shop.example.com (no path)`);
  }
  return url.origin;
}

export async function showWidgetSettings(ctx: AppContext, principal: Principal, inboxId: string) {
  return presentWidget(ctx, await ensureWidget(ctx.db, principal.workspaceId, inboxId));
}

export async function saveWidgetSettings(
  ctx: AppContext,
  principal: Principal,
  inboxId: string,
  input: WidgetSettingsInput,
) {
  const origins = input.allowed_origins?.map((o, i) => normalizeOrigin(o, `allowed_origins.${i}`));
  const row = await ctx.db.transaction().execute(async (trx) => {
    await ensureWidget(trx, principal.workspaceId, inboxId);
    const updated = await trx
      .updateTable("widget_settings")
      .set({
        ...(input.color !== undefined ? { color: input.color.toLowerCase() } : {}),
        ...(input.greeting !== undefined ? { greeting: input.greeting.trim() } : {}),
        ...(input.reply_time !== undefined ? { reply_time: input.reply_time } : {}),
        ...(origins !== undefined ? { allowed_origins: JSON.stringify([...new Set(origins)]) } : {}),
        ...(input.require_verified !== undefined ? { require_verified: input.require_verified } : {}),
        ...(input.offline_behaviour !== undefined ? { offline_behaviour: input.offline_behaviour } : {}),
        ...(input.respect_business_hours !== undefined
          ? { respect_business_hours: input.respect_business_hours }
          : {}),
        ...(input.languages !== undefined
          ? { languages: JSON.stringify([...new Set(input.languages)]) }
          : {}),
        updated_at: ctx.now(),
      })
      .where("workspace_id", "=", principal.workspaceId)
      .where("inbox_id", "=", inboxId)
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "widget.updated",
      targetType: "inbox",
      targetId: inboxId,
      data: { changed: Object.keys(input) },
    });
    return updated;
  });
  return presentWidget(ctx, row);
}

/** Makes a new identity-verification secret; the old one stops verifying at once. Shown once, here. */
export async function rotateIdentitySecret(ctx: AppContext, principal: Principal, inboxId: string) {
  const secret = randomBytes(32).toString("hex");
  await ctx.db.transaction().execute(async (trx) => {
    await ensureWidget(trx, principal.workspaceId, inboxId);
    await trx
      .updateTable("widget_settings")
      .set({ identity_secret: box(ctx).seal(secret), updated_at: ctx.now() })
      .where("workspace_id", "=", principal.workspaceId)
      .where("inbox_id", "=", inboxId)
      .execute();
    await recordAudit(trx, principal, {
      action: "widget.identity_secret_rotated",
      targetType: "inbox",
      targetId: inboxId,
      data: {},
    });
  });
  return { identity_secret: secret };
}
