// The page's words (Norwegian bokmål by default, English a switch away) and the Norwegian way
// of writing dates, times and numbers: 24-hour clock, "4. des.", decimal comma, in Oslo time.

export const lang = document.querySelector('meta[name="lang"]')?.content === "en" ? "en" : "nb";
const locale = lang === "en" ? "en-GB" : "nb-NO";
const zone = "Europe/Oslo";
let words = {};

export async function loadWords() {
  const response = await fetch(`/static/i18n/${lang}.json`, { credentials: "same-origin" });
  words = await response.json();
  return words;
}

export function t(key, params = {}) {
  let text = words[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

const timeFormat = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
const dateFormat = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: zone });
const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

export const time = (iso) => (iso ? timeFormat.format(new Date(iso)) : "–");
export const longDate = (iso) => dateFormat.format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso));
export const number = (n) => numberFormat.format(n);
export const minutes = (seconds) => `${numberFormat.format(Math.round(seconds / 60))} min`;
export const km = (metres) => `${numberFormat.format(metres / 1000)} km`;

// Today's date in Oslo as YYYY-MM-DD (the plan's and the schedule's day).
export function osloToday() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}
