/**
 * The pack's policies, in area order. `policies/index.ts` (the CLI's entry point) and the offline
 * evaluator both take them from here, so the same code judges a real preview and a saved plan.
 */
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import type { RunbookPolicy } from "./common";
import { s3Policies } from "./s3";
import { s3WritePolicies } from "./s3-writes";
import { rdsPolicies } from "./rds";
import { elasticachePolicies } from "./elasticache";
import { eksPolicies } from "./eks";
import { kmsPolicies } from "./kms";
import { vpcPolicies } from "./vpc";
import { iamPolicies } from "./iam";
import { route53Policies } from "./route53";
import { edgePolicies } from "./edge";
import { kubernetesPolicies } from "./kubernetes";
import { monitoringPolicies } from "./monitoring";
import { observabilityPolicies } from "./observability";
import { stackPolicies } from "./stack";
import { costPolicies } from "./cost";
import { securityPolicies } from "./security";
import { mskPolicies } from "./msk";
import { rbacPolicies } from "./rbac";
import { rbacSubjectPolicies } from "./rbac-subjects";
import { tagPolicies } from "./tags";
import { readinessPolicies } from "./readiness";

export const PACK_NAME = "runbook-infra";

/** Level of a policy that does not set its own (every policy here does). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export const policies: RunbookPolicy[] = [
  ...s3Policies,
  ...s3WritePolicies,
  ...rdsPolicies,
  ...elasticachePolicies,
  ...mskPolicies,
  ...eksPolicies,
  ...kmsPolicies,
  ...vpcPolicies,
  ...iamPolicies,
  ...route53Policies,
  ...edgePolicies,
  ...kubernetesPolicies,
  ...rbacPolicies,
  ...rbacSubjectPolicies,
  ...tagPolicies,
  ...monitoringPolicies,
  ...observabilityPolicies,
  ...stackPolicies,
  ...costPolicies,
  ...securityPolicies,
  ...readinessPolicies,
];

/**
 * Config the pack starts with before `--policy-pack-config`: every policy's own level, so
 * `pulumi policy` tooling lists them; the values each rule reads default from its config schema.
 */
export const initialConfig: PolicyPackConfig = Object.fromEntries(policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL }]));
