/** Small HTTP helpers for setting up a benchmark against a running Keepwell, as any API client would. */

export async function call<T = unknown>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** Signs in with email and password, then creates an API token with the session, as a user would. */
export async function createToken(baseUrl: string, email: string, password: string): Promise<string> {
  const login = await call<{ csrf_token: string }>(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    body: { email, password },
  });
  if (login.status !== 200)
    throw new Error(`sign-in failed (${login.status}): ${JSON.stringify(login.body)}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const created = await call<{ token: string }>(`${baseUrl}/api/v1/tokens`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": login.body.csrf_token },
    body: { name: "bench" },
  });
  if (created.status !== 201)
    throw new Error(`token creation failed (${created.status}): ${JSON.stringify(created.body)}`);
  return created.body.token;
}

/** Fails with the server's answer when a request that the benchmark relies on does not succeed. */
export async function expectOk<T = unknown>(
  what: string,
  url: string,
  init: Parameters<typeof call>[1] = {},
): Promise<T> {
  const response = await call<T>(url, init);
  if (response.status < 200 || response.status >= 300)
    throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  return response.body;
}

/** The demo workspace is created just after the server starts listening: sign in once it exists. */
export async function createDemoToken(baseUrl: string, email: string, password: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await createToken(baseUrl, email, password);
    } catch (error) {
      if (attempt > 150) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
