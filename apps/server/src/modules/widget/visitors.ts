import { randomBytes } from "node:crypto";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import { invalid, Problem } from "../../lib/errors.ts";
import { constantTimeEqual, sha256 } from "../../lib/tokens.ts";
import { createContact } from "../contacts/service.ts";
import { type ClaimedIdentity, identityIsVerified } from "./identity.ts";
import { identitySecretOf, type PublicWidget } from "./settings.ts";

/*
 * A visitor is one browser talking to one widget. The browser keeps a token (`<visitor id>.<secret>`,
 * stored here only as a SHA-256). An anonymous visitor gets a contact of their own; only an identity
 * signed with the inbox's secret is ever linked to a contact that other channels share.
 */

export interface Visitor {
  id: string;
  workspaceId: string;
  inboxId: string;
  contactId: string;
  externalId: string | null;
  name: string | null;
  email: string | null;
}

export interface SessionRequest {
  token?: string;
  identity?: ClaimedIdentity;
  name?: string;
}

const visitorColumns = [
  "id",
  "workspace_id",
  "inbox_id",
  "contact_id",
  "external_id",
  "name",
  "email",
  "token_hash",
] as const;

type VisitorRow = {
  id: string;
  workspace_id: string;
  inbox_id: string;
  contact_id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
};

const toVisitor = (row: VisitorRow): Visitor => ({
  id: row.id,
  workspaceId: row.workspace_id,
  inboxId: row.inbox_id,
  contactId: row.contact_id,
  externalId: row.external_id,
  name: row.name,
  email: row.email,
});

export const identityRefused = (code: "identity_required" | "identity_not_verified") =>
  new Problem(
    403,
    code,
    code === "identity_required"
      ? "This chat needs a signed-in user: the site must identify the visitor"
      : "The identity's signature does not match; the chat was not linked to that user",
    { field: "identity.user_hash" },
  );

/** The visitor a token names, for this widget; null when the token is unknown, malformed or revoked. */
export async function visitorOfToken(
  db: Db,
  widget: Pick<PublicWidget, "workspace_id" | "inbox_id">,
  token: string | undefined,
): Promise<Visitor | null> {
  const match = token ? /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(token) : null;
  if (!match) return null;
  const row = await db
    .selectFrom("widget_visitors")
    .select(visitorColumns)
    .where("workspace_id", "=", widget.workspace_id)
    .where("id", "=", match[1])
    .where("inbox_id", "=", widget.inbox_id)
    .executeTakeFirst();
  if (!row || !constantTimeEqual(row.token_hash, sha256(match[2]))) return null;
  return toVisitor(row);
}

/**
 * Starts or resumes a visitor's session. A known token resumes it, unless a different verified user
 * now uses the browser; a verified identity is linked to the contact of that user id; an unverified
 * claim is kept on the visitor only (a name to show, never a key into contacts).
 */
export async function startSession(
  ctx: AppContext,
  widget: PublicWidget,
  request: SessionRequest,
): Promise<{ token: string | null; visitor: Visitor; verified: boolean }> {
  const claim = request.identity;
  const verified = claim ? identityIsVerified(identitySecretOf(ctx, widget), claim) : false;
  if (widget.require_verified && !claim) throw identityRefused("identity_required");
  if (claim && !verified && widget.require_verified) throw identityRefused("identity_not_verified");
  const externalId = verified ? claim!.user_id : null;

  const existing = await visitorOfToken(ctx.db, widget, request.token);
  if (existing && existing.externalId === externalId) {
    await ctx.db
      .updateTable("widget_visitors")
      .set({ last_seen_at: ctx.now() })
      .where("workspace_id", "=", existing.workspaceId)
      .where("id", "=", existing.id)
      .execute();
    return { token: null, visitor: existing, verified };
  }

  const secret = randomBytes(24).toString("base64url");
  const visitor = await ctx.db.transaction().execute(async (trx) => {
    const contactId = verified
      ? await contactOfIdentity(trx, widget.workspace_id, claim!)
      : (
          await createContact(trx, widget.workspace_id, {
            name: cleanName(claim?.name ?? request.name) ?? "Website visitor",
          })
        ).id;
    const row = await trx
      .insertInto("widget_visitors")
      .values({
        workspace_id: widget.workspace_id,
        inbox_id: widget.inbox_id,
        token_hash: sha256(secret),
        contact_id: contactId,
        external_id: externalId,
        name: cleanName(claim?.name ?? request.name),
        email: claim?.email?.trim() || null,
        last_seen_at: ctx.now(),
      })
      .returning(visitorColumns)
      .executeTakeFirstOrThrow();
    return toVisitor(row);
  });
  return { token: `${visitor.id}.${secret}`, visitor, verified };
}

function cleanName(name: string | undefined): string | null {
  const trimmed = name?.trim().slice(0, 200);
  return trimmed ? trimmed : null;
}

/**
 * The contact of a verified user id, created on first sight. The signature covers the user id only,
 * so the claimed email is put on a new contact only when no other contact already has it: a signed
 * user cannot take over someone else's history by claiming their address.
 */
async function contactOfIdentity(trx: Db, workspaceId: string, claim: ClaimedIdentity): Promise<string> {
  const known = await trx
    .selectFrom("widget_identities")
    .select("contact_id")
    .where("workspace_id", "=", workspaceId)
    .where("external_id", "=", claim.user_id)
    .executeTakeFirst();
  if (known) return known.contact_id;
  const email = claim.email?.trim() || undefined;
  let contactId: string;
  try {
    contactId = (await createContact(trx, workspaceId, { name: cleanName(claim.name) ?? undefined, email }))
      .id;
  } catch (error) {
    if (!(error instanceof Problem) || error.status !== 409 || !email) throw error;
    contactId = (await createContact(trx, workspaceId, { name: cleanName(claim.name) ?? undefined })).id;
  }
  const inserted = await trx
    .insertInto("widget_identities")
    .values({ workspace_id: workspaceId, external_id: claim.user_id, contact_id: contactId })
    .onConflict((oc) => oc.columns(["workspace_id", "external_id"]).doNothing())
    .returning("contact_id")
    .executeTakeFirst();
  if (inserted) return inserted.contact_id;
  throw new Problem(409, "identity_busy", "This user is starting another chat at the same moment; try again");
}

const MAX_ATTRIBUTES = 50;

/**
 * Attributes the host page sets (`Keepwell("setAttributes", …)`): short scalar values, merged into
 * the visitor's own record, never into a contact (the page is not trusted with contacts' data).
 */
export async function setVisitorAttributes(ctx: AppContext, visitor: Visitor, input: unknown): Promise<void> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw invalid("attributes", "Attributes are an object of names and values");
  }
  const entries = Object.entries(input);
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(key))
      throw invalid(`attributes.${key}`, "Use names of letters, digits, _ . -");
    const ok =
      value === null ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (typeof value === "string" && value.length <= 1000);
    if (!ok)
      throw invalid(`attributes.${key}`, "Values are text (up to 1,000 characters), numbers or true/false");
  }
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("widget_visitors")
      .select("attributes")
      .where("workspace_id", "=", visitor.workspaceId)
      .where("id", "=", visitor.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const merged = { ...(row.attributes as Record<string, unknown>), ...Object.fromEntries(entries) };
    if (Object.keys(merged).length > MAX_ATTRIBUTES) {
      throw invalid("attributes", `A visitor can have at most ${MAX_ATTRIBUTES} attributes`);
    }
    await trx
      .updateTable("widget_visitors")
      .set({ attributes: JSON.stringify(merged) })
      .where("workspace_id", "=", visitor.workspaceId)
      .where("id", "=", visitor.id)
      .execute();
  });
}

/** What agents see of the visitor behind a chat conversation; undefined for other conversations. */
export async function visitorOfConversation(db: Db, workspaceId: string, conversationId: string) {
  const row = await db
    .selectFrom("widget_conversations as wc")
    .innerJoin("widget_visitors as v", (join) =>
      join.onRef("v.workspace_id", "=", "wc.workspace_id").onRef("v.id", "=", "wc.visitor_id"),
    )
    .select([
      "v.id",
      "v.name",
      "v.email",
      "v.external_id",
      "v.attributes",
      "v.created_at",
      "v.last_seen_at",
      "v.context",
      "v.language",
      "wc.visitor_read_at",
    ])
    .where("wc.workspace_id", "=", workspaceId)
    .where("wc.conversation_id", "=", conversationId)
    .executeTakeFirst();
  if (!row) return undefined;
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    verified: row.external_id !== null,
    user_id: row.external_id,
    attributes: row.attributes as Record<string, unknown>,
    first_seen_at: iso(row.created_at)!,
    last_seen_at: iso(row.last_seen_at)!,
    read_at: iso(row.visitor_read_at),
    context: row.context as VisitorContext,
    /** The language the widget speaks to the visitor, or else their browser's. */
    language: row.language ?? (row.context as VisitorContext).language ?? null,
  };
}

/** What the widget reports about the visitor's browser, shown to agents beside the chat. */
export interface VisitorContext {
  page_url?: string;
  page_title?: string;
  language?: string;
  time_zone?: string;
  browser?: string;
  os?: string;
  updated_at?: string;
}

/**
 * Records the visitor's current page, language and time zone (from the widget) and their browser and
 * system (from the socket's User-Agent). Anything malformed is dropped rather than refused: it is a
 * hint for agents, and an odd browser must not stop the chat. The language the widget chose to speak
 * (`widget_language`) is kept on its own, for the mail that continues the chat.
 */
export async function setVisitorContext(
  ctx: AppContext,
  visitor: Visitor,
  input: Record<string, unknown>,
  userAgent: string | undefined,
): Promise<VisitorContext> {
  const context: VisitorContext = { ...describeUserAgent(userAgent), updated_at: ctx.now().toISOString() };
  const url = typeof input.page_url === "string" ? input.page_url.slice(0, 2000) : "";
  if (/^https?:\/\//i.test(url) && URL.canParse(url)) context.page_url = url;
  if (typeof input.page_title === "string" && input.page_title.trim()) {
    context.page_title = input.page_title.trim().slice(0, 200);
  }
  if (typeof input.language === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(input.language)) {
    context.language = input.language.slice(0, 35);
  }
  if (typeof input.time_zone === "string" && isTimeZone(input.time_zone)) context.time_zone = input.time_zone;
  const language =
    typeof input.widget_language === "string" && /^[a-z]{2,3}$/.test(input.widget_language)
      ? input.widget_language
      : undefined;
  await ctx.db
    .updateTable("widget_visitors")
    .set({ context: JSON.stringify(context), last_seen_at: ctx.now(), ...(language ? { language } : {}) })
    .where("workspace_id", "=", visitor.workspaceId)
    .where("id", "=", visitor.id)
    .execute();
  return context;
}

function isTimeZone(zone: string): boolean {
  if (zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The browser family and system a User-Agent names, coarsely: enough for "Chrome 131 on Windows". */
export function describeUserAgent(ua: string | undefined): { browser?: string; os?: string } {
  if (!ua) return {};
  const text = ua.slice(0, 500);
  const browsers: [string, RegExp][] = [
    ["Edge", /Edg(?:e|A|iOS)?\/(\d+)/],
    ["Opera", /(?:OPR|Opera)\/(\d+)/],
    ["Samsung Internet", /SamsungBrowser\/(\d+)/],
    ["Firefox", /(?:Firefox|FxiOS)\/(\d+)/],
    ["Chrome", /(?:Chrome|CriOS|HeadlessChrome)\/(\d+)/],
    ["Safari", /Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari/],
  ];
  const systems: [string, RegExp][] = [
    ["Android", /Android/],
    ["iOS", /iPhone|iPad|iPod/],
    ["Windows", /Windows/],
    ["macOS", /Mac OS X|Macintosh/],
    ["ChromeOS", /CrOS/],
    ["Linux", /Linux/],
  ];
  const browser = browsers.map(([name, re]) => [name, re.exec(text)?.[1]] as const).find(([, v]) => v);
  const os = systems.find(([, re]) => re.test(text))?.[0];
  return {
    ...(browser ? { browser: `${browser[0]} ${browser[1]}` } : {}),
    ...(os ? { os } : {}),
  };
}

/** An email address left by a visitor (offline), kept on the visitor for follow-up; never merged. */
export async function rememberVisitorEmail(ctx: AppContext, visitor: Visitor, email: string): Promise<void> {
  const trimmed = email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed) || trimmed.length > 320) {
    throw invalid("email", "Give an email address such as you@example.com");
  }
  await ctx.db
    .updateTable("widget_visitors")
    .set({ email: trimmed })
    .where("workspace_id", "=", visitor.workspaceId)
    .where("id", "=", visitor.id)
    .execute();
  visitor.email = trimmed;
}
