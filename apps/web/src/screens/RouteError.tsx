import { Link } from "@tanstack/react-router";
import { DEFAULT_SEARCH } from "../lib/views.ts";

export function NotFound() {
  return (
    <main className="centered-page">
      <h1>Nothing here</h1>
      <p>This address does not lead anywhere in Keepwell.</p>
      <Link to="/conversations" search={DEFAULT_SEARCH}>
        Go to your conversations
      </Link>
    </main>
  );
}

export function RouteError({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <main className="centered-page">
      <h1>Something went wrong</h1>
      <p role="alert">{message}</p>
      <button type="button" className="button" onClick={() => location.reload()}>
        Reload
      </button>
    </main>
  );
}
