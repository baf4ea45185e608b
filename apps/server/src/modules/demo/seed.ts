import { randomBytes } from "node:crypto";
import type { AppContext } from "../../context.ts";
import { createWorkspace } from "../workspaces/service.ts";

export const DEMO_SLUG = "demo";
export const DEMO_OWNER_EMAIL = "owner@demo.keepwell.test";

/**
 * The demo workspace: the same every time, so that docs, tests and newcomers can rely on it.
 * Only the owner's password differs, unless KEEPWELL_DEMO_PASSWORD sets it.
 */
export async function seedDemo(
  ctx: AppContext,
  progress: (message: string) => void = () => {},
): Promise<{ created: boolean; password?: string }> {
  const exists = await ctx.db
    .selectFrom("workspaces")
    .select("id")
    .where("slug", "=", DEMO_SLUG)
    .executeTakeFirst();
  if (exists) return { created: false };
  const password = ctx.config.demoPassword ?? randomBytes(12).toString("base64url");
  progress("creating the demo workspace");
  await createWorkspace(ctx.db, {
    name: "Demo",
    slug: DEMO_SLUG,
    owner: { email: DEMO_OWNER_EMAIL, name: "Dana Owner", password },
  });
  return { created: true, password };
}

/** On the very first start (no workspace at all), create the demo workspace. */
export async function ensureDemoWorkspace(ctx: AppContext, progress: (message: string) => void) {
  const any = await ctx.db.selectFrom("workspaces").select("id").limit(1).executeTakeFirst();
  if (any) return { created: false as const };
  return seedDemo(ctx, progress);
}
