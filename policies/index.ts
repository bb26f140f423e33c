// Entry point for `pulumi preview --policy-pack policies`. Constructing the pack starts its gRPC
// analyzer server, so only the Pulumi CLI loads this file; tests and the offline runner import ./rules.
import { PolicyPack } from "@pulumi/policy";
import { initialConfig, PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./rules";

new PolicyPack(PACK_NAME, { policies, enforcementLevel: PACK_ENFORCEMENT_LEVEL, description: "Runbook infrastructure guardrails: S3, RDS, ElastiCache, EKS, KMS, VPC, IAM, Route53, Kubernetes, monitoring and whole-stack backup/DR checks." }, initialConfig);
