import { readJson, writeJson } from "./storage.ts";

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "kw.theme";

export function storedTheme(): ThemeChoice {
  const value = readJson<ThemeChoice>(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** "system" leaves the choice to prefers-color-scheme (see styles.css). */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** The agent picked a theme: shown at once and kept for the next visit. */
export function chooseTheme(choice: ThemeChoice): void {
  applyTheme(choice);
  writeJson(KEY, choice === "system" ? null : choice);
}

export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return choice === "system" ? "light" : choice === "light" ? "dark" : "system";
}
