/**
 * What the preview says about the stack's change windows (runbook 004 4.20): whether a change applied
 * now would be inside a window, and when the next one opens, in the windows' zone and in UTC.
 */
import { ChangeWindows, WindowOccurrence, currentWindow, nextWindow } from "../core/change-windows";

export interface ChangeWindowReport {
  timeZone: string;
  /** "tue, thu 14:00–16:00" per window. */
  windows: string[];
  /** The moment judged (ISO, UTC). */
  at: string;
  open: boolean;
  /** The window open now, or the next one. */
  next?: { startLocal: string; endLocal: string; startUtc: string; endUtc: string };
  emergencyLabel?: string;
}

const utc = (o: WindowOccurrence) => ({ startLocal: o.startLocal, endLocal: o.endLocal, startUtc: o.start.toISOString(), endUtc: o.end.toISOString() });

export function changeWindowReport(config: ChangeWindows & { emergencyLabel?: string }, now: Date): ChangeWindowReport {
  const current = currentWindow(now, config);
  const next = current ?? nextWindow(now, config);
  return {
    timeZone: config.timeZone,
    windows: config.windows.map((w) => `${w.days.join(", ")} ${w.start}–${w.end}`),
    at: now.toISOString(),
    open: !!current,
    ...(next ? { next: utc(next) } : {}),
    ...(config.emergencyLabel ? { emergencyLabel: config.emergencyLabel } : {}),
  };
}

export function renderChangeWindowReport(report: ChangeWindowReport): string {
  const head = `Change windows (${report.timeZone}): ${report.windows.join("; ")}`;
  if (report.open && report.next) return `${head}\n  open now, until ${report.next.endLocal} (${report.next.endUtc})`;
  const next = report.next ? `next window ${report.next.startLocal} – ${report.next.endLocal} (${report.next.startUtc} UTC start)` : "no window in the coming week";
  return `${head}\n  closed now; ${next}${report.emergencyLabel ? `; outside it only changes labelled ${report.emergencyLabel} deploy to production` : ""}`;
}
