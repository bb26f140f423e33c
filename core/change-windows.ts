/**
 * Change windows (runbook 004 4.20: "standard changes Tue/Thu 14:00–16:00" US Eastern): weekly windows
 * in an IANA time zone, so daylight saving moves them with the wall clock (14:00 New York is 19:00 UTC
 * in winter and 18:00 UTC in summer). Pure: used by the config schema, the preview report and the
 * deploy gate (`scripts/change-window.js`). Luxon does the zone arithmetic from the platform's tz data.
 */
import { DateTime, IANAZone } from "luxon";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One weekly window: on each of `days`, from `start` to `end` local time ("HH:MM", end after start, same day). */
export interface ChangeWindow {
  days: Weekday[];
  start: string;
  end: string;
}

export interface ChangeWindows {
  /** IANA zone name such as America/New_York. */
  timeZone: string;
  windows: ChangeWindow[];
}

/** A concrete occurrence of a window. */
export interface WindowOccurrence {
  start: Date;
  end: Date;
  /** ISO 8601 with the zone's offset at that moment, e.g. 2026-12-01T14:00:00-05:00. */
  startLocal: string;
  endLocal: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for "HH:MM" on a 24-hour clock. */
export function isClockTime(value: string): boolean {
  return HHMM.test(value);
}

export function minutesOf(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h * 60 + m;
}

/**
 * True for an IANA zone name the platform knows ("America/New_York", "Europe/Berlin", "UTC",
 * "Etc/UTC"). Abbreviations and fixed offsets ("EST", "EDT", "-05:00") are refused: they do not follow
 * daylight saving, which is the point of naming a zone.
 */
export function isIanaTimeZone(value: string): boolean {
  if (value === "UTC" || value === "Etc/UTC") return true;
  return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(value) && IANAZone.isValidZone(value);
}

/** The occurrence of `window` on the local calendar day `day` (a DateTime in the windows' zone). */
function occurrenceOn(day: DateTime, window: ChangeWindow): WindowOccurrence {
  const at = (clock: string) => day.set({ hour: Number(clock.slice(0, 2)), minute: Number(clock.slice(3, 5)), second: 0, millisecond: 0 });
  const start = at(window.start);
  const end = at(window.end);
  return { start: start.toJSDate(), end: end.toJSDate(), startLocal: start.toISO({ suppressMilliseconds: true })!, endLocal: end.toISO({ suppressMilliseconds: true })! };
}

/** Every occurrence that starts on the local days from `now`'s day - 1 to + 8, sorted by start. */
function occurrencesAround(now: Date, config: ChangeWindows): WindowOccurrence[] {
  const today = DateTime.fromJSDate(now, { zone: config.timeZone }).startOf("day");
  const out: WindowOccurrence[] = [];
  for (let offset = -1; offset <= 8; offset++) {
    const day = today.plus({ days: offset });
    const weekday = WEEKDAYS[day.weekday - 1];
    for (const window of config.windows) if (window.days.includes(weekday)) out.push(occurrenceOn(day, window));
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The window `now` falls in, if any (start inclusive, end exclusive). */
export function currentWindow(now: Date, config: ChangeWindows): WindowOccurrence | undefined {
  return occurrencesAround(now, config).find((o) => o.start.getTime() <= now.getTime() && now.getTime() < o.end.getTime());
}

/** The next window that has not ended yet: the current one while it is open, else the next to start. */
export function nextWindow(now: Date, config: ChangeWindows): WindowOccurrence | undefined {
  return occurrencesAround(now, config).find((o) => o.end.getTime() > now.getTime());
}

/** Problems with a windows config, as [path, value, allowed] triples; empty when it is valid. */
export function changeWindowProblems(config: ChangeWindows): Array<[Array<string | number>, unknown, string]> {
  const problems: Array<[Array<string | number>, unknown, string]> = [];
  if (!isIanaTimeZone(config.timeZone))
    problems.push([["timeZone"], config.timeZone, 'must be an IANA time zone name such as "America/New_York" (not an abbreviation like EST or a fixed offset: those ignore daylight saving)']);
  config.windows.forEach((window, i) => {
    const seen = new Set<string>();
    for (const day of window.days) {
      if (seen.has(day)) problems.push([["windows", i, "days"], window.days, `must not repeat ${day}`]);
      seen.add(day);
    }
    if (isClockTime(window.start) && isClockTime(window.end) && minutesOf(window.end) - minutesOf(window.start) < 30)
      problems.push([["windows", i, "end"], window.end, `must be at least 30 minutes after start (${window.start}) on the same day`]);
  });
  // Two windows on the same day must not overlap: overlapping windows are one window written twice.
  for (let i = 0; i < config.windows.length; i++)
    for (let j = i + 1; j < config.windows.length; j++) {
      const [a, b] = [config.windows[i], config.windows[j]];
      const sharedDay = a.days.find((d) => b.days.includes(d));
      if (sharedDay && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end))
        problems.push([["windows", j], b, `must not overlap windows[${i}] on ${sharedDay}`]);
    }
  return problems;
}
