import { appBenchmarks } from "../app-inbox.ts";
import type { Benchmark } from "../lib/context.ts";
import { chatBenchmarks } from "./chat.ts";
import { conversationBenchmarks } from "./conversations.ts";
import { emailBenchmarks } from "./email.ts";
import { embeddedBenchmarks } from "./embedded.ts";
import { helpCenterBenchmarks } from "./help-center.ts";
import { reportBenchmarks } from "./reports.ts";
import { sequenceBenchmarks } from "./sequences.ts";
import { successBenchmarks } from "./success.ts";

/** Every benchmark `npm run bench` knows, in the order a full run executes them. */
export const benchmarks: Benchmark[] = [
  ...conversationBenchmarks,
  ...embeddedBenchmarks,
  ...reportBenchmarks,
  ...helpCenterBenchmarks,
  ...emailBenchmarks,
  ...chatBenchmarks,
  ...sequenceBenchmarks,
  ...successBenchmarks,
  ...appBenchmarks,
];
