import { reassignContactRows } from "../contacts/merge.ts";

/** Contact merge step: usage the duplicate generated is attributed to the kept contact. */
export const moveUsageContactRows = reassignContactRows("usage_events");
