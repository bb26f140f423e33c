/**
 * Daily and weekly maintenance/backup windows in the formats RDS and ElastiCache use ("hh:mm-hh:mm",
 * "ddd:hh:mm-ddd:hh:mm", UTC), and the arithmetic the config schema and the components both need.
 */

/** A daily window "hh:mm-hh:mm" (UTC). */
export const DAILY_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
/** A weekly window "ddd:hh:mm-ddd:hh:mm" (UTC). */
export const WEEKLY_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

export function isDailyWindow(value: unknown): value is string {
  return typeof value === "string" && DAILY_WINDOW.test(value);
}

export function isWeeklyWindow(value: unknown): value is string {
  return typeof value === "string" && WEEKLY_WINDOW.test(value);
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const MINUTES_PER_WEEK = 7 * 24 * 60;

/** Minute-of-week intervals a window covers (a window may wrap past Sunday midnight). */
function weeklyIntervals(window: string): Array<[number, number]> {
  const [from, to] = window.split("-");
  const toMinute = (part: string) => {
    const [day, hh, mm] = part.split(":");
    return DAYS.indexOf(day as (typeof DAYS)[number]) * 1440 + Number(hh) * 60 + Number(mm);
  };
  const start = toMinute(from);
  let end = toMinute(to);
  if (end <= start) end += MINUTES_PER_WEEK;
  return end > MINUTES_PER_WEEK ? [[start, MINUTES_PER_WEEK], [0, end - MINUTES_PER_WEEK]] : [[start, end]];
}

/** Length of a daily "hh:mm-hh:mm" window in minutes (wrapping past midnight). */
export function dailyWindowMinutes(window: string): number {
  const [from, to] = window.split("-").map((part) => Number(part.slice(0, 2)) * 60 + Number(part.slice(3, 5)));
  return to > from ? to - from : to + 1440 - from;
}

export function weeklyWindowMinutes(window: string): number {
  return weeklyIntervals(window).reduce((sum, [a, b]) => sum + b - a, 0);
}

/** True when a daily window (which recurs every day) overlaps a weekly window at any time of the week. */
export function dailyOverlapsWeekly(daily: string, weekly: string): boolean {
  const from = Number(daily.slice(0, 2)) * 60 + Number(daily.slice(3, 5));
  const length = dailyWindowMinutes(daily);
  const weeklyParts = weeklyIntervals(weekly);
  for (let day = 0; day < 7; day++) {
    const start = day * 1440 + from;
    const dailyParts: Array<[number, number]> =
      start + length > MINUTES_PER_WEEK ? [[start, MINUTES_PER_WEEK], [0, start + length - MINUTES_PER_WEEK]] : [[start, start + length]];
    for (const [a, b] of dailyParts) for (const [c, d] of weeklyParts) if (a < d && c < b) return true;
  }
  return false;
}

/** True when every minute of weekly window `inner` lies inside weekly window `outer`. */
export function weeklyWithin(inner: string, outer: string): boolean {
  const outerParts = weeklyIntervals(outer);
  return weeklyIntervals(inner).every(([a, b]) => outerParts.some(([c, d]) => c <= a && b <= d));
}

