/**
 * Stack key `runbook-infra:changeWindows` (runbook 004 4.20): when standard changes may be applied to
 * this stack. The production deploy workflow refuses `pulumi up` outside these windows unless the change
 * is marked as an emergency; the preview prints the next window.
 */
import { z } from "zod";
import { oneOf, str } from "./fields";
import type { Refinement } from "./refinement";
import { WEEKDAYS, changeWindowProblems } from "../../core/change-windows";

const clock = () => str(/^([01]\d|2[0-3]):([0-5]\d)$/, 'a 24-hour local time "HH:MM" (quoted), e.g. "14:00"');

export const changeWindowsSchema = z
  .object({
    /** IANA time zone the windows are in; daylight saving follows it (America/New_York: 14:00 is 19:00 UTC in winter, 18:00 in summer). No default. */
    timeZone: z.string({ error: 'must be an IANA time zone name such as "America/New_York"' }),
    /** Weekly windows, e.g. `{ days: [tue, thu], start: "14:00", end: "16:00" }`. No default. */
    windows: z
      .array(
        z
          .object({
            /** Days of the week (mon … sun). No default. */
            days: z.array(oneOf(WEEKDAYS)).min(1, { error: "must name at least one day (mon … sun)" }),
            /** Local start time "HH:MM". No default. */
            start: clock(),
            /** Local end time "HH:MM", later the same day. No default. */
            end: clock(),
          })
          .strict(),
      )
      .min(1, { error: "must hold at least one window (leave changeWindows out to allow changes at any time)" }),
    /** Pull-request label that marks an emergency change, which may be applied outside the windows. @default "emergency-change" */
    emergencyLabel: str(/^[a-z0-9][a-z0-9._-]{0,49}$/, "a GitHub label name (lowercase letters, digits, '.', '_', '-')").default("emergency-change"),
  })
  .strict();

export type ChangeWindowsConfig = z.infer<typeof changeWindowsSchema>;

export const refineChangeWindows: Refinement = (config, report) => {
  const windows = config.changeWindows;
  if (!windows) return;
  for (const [path, value, allowed] of changeWindowProblems(windows)) report(["changeWindows", ...path], value, allowed);
};
