import { pgliteTemplate, postgresTemplate, templatesEnabled } from "./db-template.ts";

/** Builds the migrated template databases once, before the test workers start cloning them. */
export default async function setup(): Promise<void> {
  if (!templatesEnabled) return;
  await pgliteTemplate();
  if (process.env.TEST_DATABASE_URL) await postgresTemplate(process.env.TEST_DATABASE_URL);
}
