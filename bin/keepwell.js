#!/usr/bin/env node
// The keepwell command. Runs on the Node 22 pinned by the project (npm puts it first on the PATH).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Keepwell needs Node.js 22.12 or newer (this is ${process.version}). Run it through npm (npm start), which uses the pinned Node.`,
  );
  process.exit(1);
}
const { main } = await import("../apps/server/src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
