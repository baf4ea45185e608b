import { createContext, useContext } from "react";
import type { EventStream } from "./stream.ts";

/** The signed-in app's event stream (undefined until it starts). */
export const StreamContext = createContext<EventStream | undefined>(undefined);

export function useStream(): EventStream | undefined {
  return useContext(StreamContext);
}
