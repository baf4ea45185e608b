import type { Static } from "typebox";
import type {
  CreateInboxBody,
  InboxSettings,
  UpdateInboxBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Channel } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import {
  conflict,
  invalid,
  isDatabaseError,
  notFound,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
} from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";

export type NewInbox = Static<typeof CreateInboxBody>;
export type InboxChange = Static<typeof UpdateInboxBody>;
type Settings = Static<typeof InboxSettings>;

const columns = ["id", "name", "channel", "address", "settings", "created_at"] as const;

/** An inbox of the workspace, or a 404 problem (also for another workspace's inbox). */
export async function getInbox(db: Db, workspaceId: string, id: string) {
  const inbox = await db
    .selectFrom("inboxes")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!inbox) throw notFound("Inbox");
  return inbox;
}

export async function listInboxes(ctx: AppContext, principal: Principal) {
  return ctx.db
    .selectFrom("inboxes")
    .select(columns)
    .where("workspace_id", "=", principal.workspaceId)
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** Settings are typed by channel: email inboxes have a signature and an auto-acknowledgement switch. */
function settingsFor(channel: Channel, current: Settings, patch: Settings | undefined): Settings {
  if (channel !== "email") {
    const stray = Object.keys(patch ?? {})[0];
    if (stray) throw invalid(`settings.${stray}`, `Only email inboxes have the setting "${stray}"`);
    return {};
  }
  return {
    signature: patch?.signature ?? current.signature ?? "",
    auto_ack_enabled: patch?.auto_ack_enabled ?? current.auto_ack_enabled ?? false,
  };
}

/** Email addresses route incoming mail, so they are unique across the whole install, ignoring case. */
async function assertAddressFree(db: Db, address: string, exceptId?: string): Promise<void> {
  let query = db
    .selectFrom("inboxes")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["address"]), "=", address.toLowerCase()));
  if (exceptId) query = query.where("id", "!=", exceptId);
  if (await query.executeTakeFirst()) throw addressTaken(address);
}

const addressTaken = (address: string) =>
  conflict("address_taken", `The address ${address} is already used by an inbox`, "address");

/**
 * Creates an inbox without auditing or events: for callers that already run in a transaction, such
 * as the demo seed. Requests go through addInbox.
 */
export async function createInbox(db: Db, workspaceId: string, input: NewInbox) {
  let address: string | null = null;
  if (input.channel === "email") {
    if (!input.address) throw invalid("address", "An email inbox needs an address");
    address = input.address.trim();
    await assertAddressFree(db, address);
  } else if (input.address !== undefined) {
    throw invalid("address", "Only email inboxes have an address");
  }
  const settings = settingsFor(input.channel, {}, input.settings);
  return db
    .insertInto("inboxes")
    .values({
      workspace_id: workspaceId,
      name: input.name.trim(),
      channel: input.channel,
      address,
      settings: JSON.stringify(settings),
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
}

/** Runs a write, turning the database's last-moment unique check on the address into a 409. */
async function guardAddress<T>(address: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (address && isDatabaseError(error, PG_UNIQUE_VIOLATION)) throw addressTaken(address);
    throw error;
  }
}

export async function addInbox(ctx: AppContext, principal: Principal, input: NewInbox) {
  const inbox = await guardAddress(input.address, () =>
    ctx.db.transaction().execute(async (trx) => {
      const created = await createInbox(trx, principal.workspaceId, input);
      await recordAudit(trx, principal, {
        action: "inbox.created",
        targetType: "inbox",
        targetId: created.id,
        data: { name: created.name, channel: created.channel, address: created.address },
      });
      await ctx.events.record(trx, principal.workspaceId, [
        { type: "inbox.created", data: { id: created.id, channel: created.channel } },
      ]);
      return created;
    }),
  );
  return inbox;
}

export async function showInbox(ctx: AppContext, principal: Principal, id: string) {
  const { workspace_id: _, ...inbox } = await getInbox(ctx.db, principal.workspaceId, id);
  return inbox;
}

export async function updateInbox(ctx: AppContext, principal: Principal, id: string, input: InboxChange) {
  const inbox = await guardAddress(input.address, () =>
    ctx.db.transaction().execute(async (trx) => {
      const current = await getInbox(trx, principal.workspaceId, id);
      let address = current.address;
      if (input.address !== undefined) {
        if (current.channel !== "email") throw invalid("address", "Only email inboxes have an address");
        address = input.address.trim();
        await assertAddressFree(trx, address, id);
      }
      const settings = settingsFor(current.channel, current.settings as Settings, input.settings);
      const updated = await trx
        .updateTable("inboxes")
        .set({ name: input.name?.trim() ?? current.name, address, settings: JSON.stringify(settings) })
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", id)
        .returning(columns)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, principal, {
        action: "inbox.updated",
        targetType: "inbox",
        targetId: id,
        data: { changed: Object.keys(input) },
      });
      await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.updated", data: { id } }]);
      return updated;
    }),
  );
  return inbox;
}

/** An inbox that holds conversations cannot go: the database's reference from conversations refuses it. */
export async function deleteInbox(ctx: AppContext, principal: Principal, id: string): Promise<void> {
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const inbox = await getInbox(trx, principal.workspaceId, id);
      await trx
        .deleteFrom("inboxes")
        .where("workspace_id", "=", principal.workspaceId)
        .where("id", "=", id)
        .execute();
      await recordAudit(trx, principal, {
        action: "inbox.deleted",
        targetType: "inbox",
        targetId: id,
        data: { name: inbox.name, channel: inbox.channel },
      });
      await ctx.events.record(trx, principal.workspaceId, [{ type: "inbox.deleted", data: { id } }]);
    });
  } catch (error) {
    if (isDatabaseError(error, PG_FOREIGN_KEY_VIOLATION))
      throw conflict("inbox_in_use", "This inbox has conversations; it cannot be deleted");
    throw error;
  }
}

export interface RoutedInbox {
  workspace_id: string;
  id: string;
  address: string | null;
}

/** The email inbox whose address is this lowercased address, in any workspace (mail routing). */
export async function findEmailInboxByAddress(db: Db, address: string): Promise<RoutedInbox | undefined> {
  return db
    .selectFrom("inboxes")
    .select(["workspace_id", "id", "address"])
    .where("channel", "=", "email")
    .where((eb) => eb(eb.fn("lower", ["address"]), "=", address))
    .executeTakeFirst();
}

/** Email inboxes, in any workspace, whose id starts with these 12 hex digits (normally one). */
export async function findEmailInboxesByIdPrefix(db: Db, hex: string): Promise<RoutedInbox[]> {
  const head = `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
  return db
    .selectFrom("inboxes")
    .select(["workspace_id", "id", "address"])
    .where("channel", "=", "email")
    .where("id", ">=", `${head}-0000-0000-000000000000`)
    .where("id", "<=", `${head}-ffff-ffff-ffffffffffff`)
    .limit(2)
    .execute();
}

/** The workspace's inbox addresses, lowercased. */
export async function inboxAddresses(db: Db, workspaceId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("inboxes")
    .select("address")
    .where("workspace_id", "=", workspaceId)
    .where("address", "is not", null)
    .execute();
  return new Set(rows.map((row) => row.address!.toLowerCase()));
}

/** The workspace's oldest email inbox, or undefined: where chat replies go out by email from. */
export async function oldestEmailInbox(db: Db, workspaceId: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom("inboxes")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("channel", "=", "email")
    .where("address", "is not", null)
    .orderBy("created_at")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
}
