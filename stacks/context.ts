import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/schema";
import type { Network } from "../components/network";
import type { EksCluster } from "../components/eks-cluster";

/**
 * What the composition steps share. Each `stacks/<area>.ts` step reads what earlier steps put here and
 * adds its own results, in the order `program.ts` runs them.
 */
export interface StackContext {
  /** Pulumi stack name (production, staging, ...). */
  stack: string;
  /** Prefix for physical names: `<system>-<stack>` (core/names.ts namePrefix). */
  prefix: string;
  /** The deploying account (for globally unique names such as S3 buckets). @default looked up by the step that needs it */
  accountId?: pulumi.Output<string>;
  config: StackConfig;
  secrets: Record<string, pulumi.Output<string>>;
  /** Tags every AWS resource carries. */
  tags: Record<string, string>;
  network: Network;
  cluster: EksCluster;
  /** Provider for the DR region when `drRegion` is set. */
  drProvider?: aws.Provider;
  /** Results of the later steps, keyed by area; each area documents its own shape. */
  [area: string]: unknown;
}
