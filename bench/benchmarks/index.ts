import type { Benchmark } from "../lib/context.ts";
import { conversationBenchmarks } from "./conversations.ts";
import { emailBenchmarks } from "./email.ts";
import { embeddedBenchmarks } from "./embedded.ts";
import { reportBenchmarks } from "./reports.ts";

/** Every benchmark `npm run bench` knows, in the order a full run executes them. */
export const benchmarks: Benchmark[] = [
  ...conversationBenchmarks,
  ...embeddedBenchmarks,
  ...reportBenchmarks,
  ...emailBenchmarks,
];
