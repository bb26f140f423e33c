import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";

/** One scenario's computed figures; `null` minutes means the stack cannot recover from it. */
export interface RecoveryScenario {
  /** What fails, e.g. "primary region loss". No default. */
  scenario: string;
  /** Data lost, in minutes. No default. */
  rpoMinutes: number | null;
  /** Time to serve again, in minutes. No default. */
  rtoMinutes: number | null;
  /** Whether the scenario is held to the targets (false: shown only, e.g. DR disabled). @default true */
  compared?: boolean;
  /** How the figures were reached. @default "" */
  basis?: string;
}

export interface RecoveryObjectivesArgs {
  /** The declared targets (runbook 001: RTO 240, RPO 60). No default. */
  targets: { rtoMinutes: number; rpoMinutes: number };
  /** The figures the stack's configuration provides, one per scenario (computed by model/recovery-report.ts). No default. */
  scenarios: RecoveryScenario[];
  /** Whether backups are copied into the DR region. @default false */
  replicationToDr?: boolean;
  /** The DR region, when one is set. @default none */
  drRegion?: string;
}

/**
 * Holds the recovery targets and the figures computed from the config as the component's registered
 * inputs, so that they appear in the plan (`runbook:dr:RecoveryObjectives`) where the policy pack and
 * reviewers can compare them. It creates no cloud resource.
 */
export class RecoveryObjectives extends pulumi.ComponentResource {
  public readonly meetsTargets: boolean;
  public readonly targets: { rtoMinutes: number; rpoMinutes: number };
  public readonly scenarios: Required<RecoveryScenario>[];

  constructor(name: string, args: RecoveryObjectivesArgs, opts?: pulumi.ComponentResourceOptions) {
    const { rtoMinutes, rpoMinutes } = args.targets ?? ({} as RecoveryObjectivesArgs["targets"]);
    if (!Number.isInteger(rtoMinutes) || rtoMinutes < 1) rejectArg("RecoveryObjectives", "targets.rtoMinutes", rtoMinutes, "must be a whole number of minutes ≥ 1");
    if (!Number.isInteger(rpoMinutes) || rpoMinutes < 0) rejectArg("RecoveryObjectives", "targets.rpoMinutes", rpoMinutes, "must be a whole number of minutes ≥ 0");
    if (!Array.isArray(args.scenarios) || args.scenarios.length === 0) rejectArg("RecoveryObjectives", "scenarios", args.scenarios, "must list at least one scenario");
    const names = new Set<string>();
    for (const s of args.scenarios) {
      if (!s.scenario || names.has(s.scenario)) rejectArg("RecoveryObjectives", "scenarios", s.scenario, "must have a unique, non-empty scenario name");
      names.add(s.scenario);
      for (const key of ["rpoMinutes", "rtoMinutes"] as const) {
        const v = s[key];
        if (v !== null && !(typeof v === "number" && Number.isFinite(v) && v >= 0))
          rejectArg("RecoveryObjectives", `scenarios[${s.scenario}].${key}`, typeof v === "number" && !Number.isFinite(v) ? String(v) : v, "must be minutes ≥ 0, or null when the stack cannot recover");
      }
    }
    // Figures are rounded up to a tenth of a minute: never report a recovery faster than computed.
    const scenarios = args.scenarios.map((s) => {
      const up = (v: number | null) => (v === null ? null : Math.ceil(v * 10) / 10);
      const rpo = up(s.rpoMinutes);
      const rto = up(s.rtoMinutes);
      const compared = s.compared ?? true;
      return {
        scenario: s.scenario,
        rpoMinutes: rpo,
        rtoMinutes: rto,
        compared,
        basis: s.basis ?? "",
        meetsRpo: rpo !== null && rpo <= rpoMinutes,
        meetsRto: rto !== null && rto <= rtoMinutes,
      };
    });
    const meetsTargets = scenarios.every((s) => !s.compared || (s.meetsRpo && s.meetsRto));
    const targets = { rtoMinutes, rpoMinutes };
    super(
      "runbook:dr:RecoveryObjectives",
      name,
      { targets, computed: { scenarios, meetsTargets }, replicationToDr: args.replicationToDr ?? false, drRegion: args.drRegion ?? "" },
      opts,
    );
    this.targets = targets;
    this.scenarios = scenarios;
    this.meetsTargets = meetsTargets;
    this.registerOutputs({ targets, meetsTargets });
  }
}
