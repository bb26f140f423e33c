// Support dates (core/versions.ts) are judged on a fixed day in tests, so the suite gives the same
// answer next year; the preview and the policy pack use the real clock unless RUNBOOK_TODAY is set.
process.env.RUNBOOK_TODAY = process.env.RUNBOOK_TODAY || "2026-11-30";
