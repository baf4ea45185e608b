/** Sizes of the built agent app, in bytes (gzip). */
export interface WebBuildSize {
  initialJsFiles: string[];
  initialJsGzip: number;
  cssGzip: number;
  allJsGzip: number;
  jsFiles: number;
}

export const distDir: string;
export const INITIAL_JS_BUDGET: number;
export function webBuildIsFresh(): boolean;
export function ensureWebBuilt(options?: {
  force?: boolean;
  log?: (message: string) => void;
}): Promise<WebBuildSize | undefined>;
export function describeSize(size: WebBuildSize): string;
