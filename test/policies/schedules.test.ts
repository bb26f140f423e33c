/** The window and schedule arithmetic behind the backup/maintenance-window and daily-backup policies. */
import { cronRuns, dailyWindow, longestGap, weeklyWindow } from "../../policies/rules/stack";

const sorted = (runs: [number, number][] | undefined) => [...(runs ?? [])].sort((a, b) => a[0] - b[0]);

describe("backup schedule arithmetic", () => {
  it.each(["0 2 * * *", "*/15 * * * *", "30 1-5/2 * * mon-fri", "0 0 1,15 * 1", "0 0 * jan sun", "0 6 * * 7", "5 4 * * SAT,sun", "@daily", "@hourly"])(
    "expands %s in UTC exactly as cron-parser does",
    (schedule) => {
      // London is on UTC in January, the reference week: cron-parser's zoned path must agree with the fast UTC path.
      expect(sorted(cronRuns(schedule, "Etc/UTC", 30))).toEqual(sorted(cronRuns(schedule, "Europe/London", 30)));
      expect(cronRuns(schedule, "Etc/UTC", 30)!.length).toBeGreaterThan(0);
    },
  );

  it("shifts runs by the CronJob's time zone", () => {
    // 02:00 in New York (UTC-5 in January) is 07:00 UTC.
    expect(sorted(cronRuns("0 2 * * *", "America/New_York", 0))[0][0]).toBe(7 * 60);
  });

  it("rejects schedules that do not parse", () => {
    for (const bad of ["0 25 * * *", "61 * * * *", "* * * *", "0 2 * * 8", "@fortnightly", 5]) expect(cronRuns(bad, "UTC", 0)).toBeUndefined();
  });

  it("measures the longest gap between runs across the week boundary", () => {
    expect(longestGap("0 2 * * *", "UTC")).toBe(24 * 60);
    expect(longestGap("0 2 * * 0", "UTC")).toBe(7 * 24 * 60);
    expect(longestGap("0 */6 * * *", "UTC")).toBe(6 * 60);
    expect(longestGap("0 0 1 * *", "UTC")).toBe(Infinity);
  });

  it("reads RDS windows, including ones that wrap past midnight and the week's end", () => {
    expect(dailyWindow("23:30-00:30")).toContainEqual([23 * 60 + 30, 24 * 60 + 30]);
    // Sunday's occurrence runs into Monday 00:30 of the same (cyclic) week.
    expect(dailyWindow("23:30-00:30")).toContainEqual([6 * 1440 + 23 * 60 + 30, 7 * 1440]);
    expect(dailyWindow("23:30-00:30")).toContainEqual([0, 30]);
    expect(weeklyWindow("sun:23:00-mon:01:00")).toEqual([[6 * 1440 + 23 * 60, 7 * 1440], [0, 60]]);
    expect(weeklyWindow("sun:02:00-sun:06:00")).toEqual([[6 * 1440 + 120, 6 * 1440 + 360]]);
    expect(dailyWindow("2:00-3:00")).toBeUndefined();
    expect(weeklyWindow("sunday:02:00-sun:06:00")).toBeUndefined();
  });
});
