import { useState } from "preact/hooks";
import { fill, type Text } from "./i18n.ts";

/** "Call me back": a phone number, a time window in the visitor's own time zone, and a reason. */
export function CallbackForm({
  t,
  widgetKey,
  onBack,
}: {
  t: Text;
  widgetKey: string;
  onBack: (() => void) | null;
}) {
  const today = new Date();
  const local = (d: Date) =>
    new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const [phone, setPhone] = useState("");
  const [from, setFrom] = useState(local(new Date(today.getTime() + 15 * 60_000)));
  const [to, setTo] = useState(local(new Date(today.getTime() + 2 * 3600_000)));
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (done) {
    return (
      <div class="callback">
        <p class="notice" role="status">
          {fill(t.callbackDone, { phone: done })}
        </p>
        {onBack && (
          <button type="button" class="link" onClick={onBack}>
            {t.back}
          </button>
        )}
      </div>
    );
  }

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/widget/v1/${widgetKey}/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          phone,
          window_start: from,
          window_end: to,
          time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          reason,
          locale: navigator.language,
          ...(visitorToken(widgetKey) ? { token: visitorToken(widgetKey) } : {}),
        }),
      });
      const body = await response.json();
      if (response.ok) setDone(body.phone);
      else setError(body.title ?? "Error");
    } catch {
      setError("Network error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="callback" onSubmit={submit}>
      <strong>{t.callbackTitle}</strong>
      <label>
        {t.phone}
        <input
          type="tel"
          required
          autoComplete="tel"
          value={phone}
          onInput={(e) => setPhone((e.target as HTMLInputElement).value)}
        />
      </label>
      <div class="pair">
        <label>
          {t.from}
          <input
            type="datetime-local"
            required
            value={from}
            onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t.to}
          <input
            type="datetime-local"
            required
            value={to}
            onInput={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      <label>
        {t.reason}
        <textarea
          rows={3}
          maxLength={2000}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t.requestCall}
      </button>
      {onBack && (
        <button type="button" class="link" onClick={onBack}>
          {t.back}
        </button>
      )}
    </form>
  );
}

/** The chat's visitor token, so a callback from the widget joins the visitor's own contact. */
function visitorToken(widgetKey: string): string | null {
  try {
    return localStorage.getItem(`keepwell:${widgetKey}:visitor`);
  } catch {
    return null;
  }
}
