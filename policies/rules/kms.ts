/** KMS rules: the keys behind EKS secrets, RDS, S3 and ElastiCache encryption. */
import { resourceRule } from "./common";

export const KMS_KEY = "aws:kms/key:Key";

export const kmsPolicies = [
  resourceRule({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate yearly (AWS FSBP KMS.4, CIS AWS 3.6, CKV_AWS_7).",
    grade: "mandatory",
    remediation: "Set enableKeyRotation: true.",
    types: [KMS_KEY],
    check: (props) => {
      const spec = props.customerMasterKeySpec ?? props.keySpec ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT") return undefined;
      return props.enableKeyRotation === true ? undefined : "enableKeyRotation is not true";
    },
  }),
  resourceRule({
    name: "kms-deletion-window",
    description: "A KMS key scheduled for deletion waits at least `minimumDays` days, time enough to notice and cancel (AWS FSBP KMS.3). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    config: { minimumDays: { type: "integer", minimum: 7, maximum: 30, default: 30, description: "Shortest accepted deletion window. @default 30" } },
    remediation: "Set deletionWindowInDays to 30 (the AWS default when unset).",
    types: [KMS_KEY, "aws:kms/replicaKey:ReplicaKey"],
    check: (props, ctx) => {
      const days = Number(props.deletionWindowInDays ?? 30);
      return days >= Number(ctx.config.minimumDays) ? undefined : `deletionWindowInDays is ${days}`;
    },
  }),
];
