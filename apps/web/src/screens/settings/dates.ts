const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDate(iso: string): string {
  return DATE.format(new Date(iso));
}
