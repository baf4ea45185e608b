import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { createInbox, listInboxes } from "../inboxes/service.ts";
import { ensureWidget } from "./settings.ts";

export const DEMO_WIDGET_INBOX = "Website chat";
export const DEMO_CALLBACK_INBOX = "Call me back";
const DEMO_SLUG = "demo";

/**
 * The demo workspace's chat inbox and its widget, and a callback inbox so the widget offers "call me
 * back" (each found first, so a second run adds nothing). /demo/widget embeds this widget.
 */
export async function seedDemoWidget(
  ctx: AppContext,
  owner: Principal,
  progress: (message: string) => void = () => {},
): Promise<string> {
  let inbox = (await listInboxes(ctx, owner)).find(
    (i) => i.channel === "chat" && i.name === DEMO_WIDGET_INBOX,
  );
  if (!inbox) {
    progress(`adding the ${DEMO_WIDGET_INBOX} inbox with its chat widget (see /demo/widget)`);
    inbox = await createInbox(ctx.db, owner.workspaceId, { name: DEMO_WIDGET_INBOX, channel: "chat" });
  }
  if (!(await listInboxes(ctx, owner)).some((i) => i.channel === "callback")) {
    progress(`adding the ${DEMO_CALLBACK_INBOX} inbox for callback requests`);
    await createInbox(ctx.db, owner.workspaceId, { name: DEMO_CALLBACK_INBOX, channel: "callback" });
  }
  const widget = await ensureWidget(ctx.db, owner.workspaceId, inbox.id);
  await ctx.db
    .updateTable("widget_settings")
    .set({ greeting: "Hi! Ask us anything — a person from the team answers." })
    .where("workspace_id", "=", owner.workspaceId)
    .where("inbox_id", "=", inbox.id)
    .where("greeting", "=", "")
    .execute();
  return widget.public_key;
}

/** The public key of the demo workspace's widget, for the /demo/widget page; null without a demo. */
export async function demoWidgetKey(ctx: AppContext): Promise<string | null> {
  const row = await ctx.db
    .selectFrom("widget_settings as w")
    .innerJoin("workspaces as ws", "ws.id", "w.workspace_id")
    .innerJoin("inboxes as i", (join) =>
      join.onRef("i.workspace_id", "=", "w.workspace_id").onRef("i.id", "=", "w.inbox_id"),
    )
    .select("w.public_key")
    .where("ws.slug", "=", DEMO_SLUG)
    .where("i.name", "=", DEMO_WIDGET_INBOX)
    .executeTakeFirst();
  return row?.public_key ?? null;
}
