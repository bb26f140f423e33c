import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Key policy for a customer-managed KMS key whose data also lands in CloudWatch Logs: the account
 * administers the key (IAM policies decide who uses it), and the regional CloudWatch Logs service may
 * use it only for log groups matching `logGroupPattern` (a name or a prefix ending in `*`).
 */
export function logsEncryptingKeyPolicy(logGroupPattern: string, parent: pulumi.Resource): pulumi.Output<string> {
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const partition = aws.getPartitionOutput({}, { parent }).partition;
  const region = aws.getRegionOutput({}, { parent }).region;
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "CloudWatchLogsEncryptsLogGroups",
        Effect: "Allow",
        Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:${logGroupPattern}` } },
      },
    ],
  });
}
