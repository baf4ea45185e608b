/** Types of scripts/build-widget.js, for the TypeScript tests that build the widget before they run. */
export type WidgetSize = Record<"loader.js" | "widget.js", number>;
export const widgetDist: string;
export const BUDGETS: WidgetSize;
export function widgetBuildIsFresh(): boolean;
export function ensureWidgetBuilt(options?: {
  force?: boolean;
  log?: (message: string) => void;
}): Promise<WidgetSize | undefined>;
export function describeSize(size: WidgetSize): string;
