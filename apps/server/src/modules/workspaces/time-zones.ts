/**
 * The name to store for an IANA time zone, or null when Intl does not know it. Offsets such as
 * "+02:00" are refused: they ignore daylight saving time. The caller's spelling is kept (ICU would
 * turn "Asia/Kolkata" into the older "Asia/Calcutta"); only its letter case is corrected.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}
