/** Amazon MSK rules (runbook 003's Kafka): what must never ship is plaintext, public brokers and anonymous clients. */
import { get, isTrue, resourceRule } from "./common";

export const MSK_CLUSTER = "aws:msk/cluster:Cluster";
export const MSK_SERVERLESS = "aws:msk/serverlessCluster:ServerlessCluster";

export const mskPolicies = [
  resourceRule({
    name: "msk-tls-in-transit",
    description: "MSK brokers accept clients only over TLS and encrypt traffic between brokers (AWS FSBP MSK.1, CKV_AWS_81).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set encryptionInfo.encryptionInTransit to { clientBroker: \"TLS\", inCluster: true } (MSK's defaults; never PLAINTEXT or TLS_PLAINTEXT).",
    types: [MSK_CLUSTER],
    check: (props) => {
      const transit = get(props, "encryptionInfo", "encryptionInTransit");
      const clientBroker = get(transit, "clientBroker") ?? "TLS";
      const problems: string[] = [];
      if (clientBroker !== "TLS") problems.push(`encryptionInTransit.clientBroker is ${clientBroker}: clients may connect in plaintext`);
      if (get(transit, "inCluster") === false || get(transit, "inCluster") === "false") problems.push("encryptionInTransit.inCluster is false: brokers replicate in plaintext");
      return problems;
    },
  }),
  resourceRule({
    name: "msk-no-public-access",
    description: "MSK brokers have no public endpoints (AWS FSBP MSK.4).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Leave brokerNodeGroupInfo.connectivityInfo.publicAccess.type DISABLED and reach the brokers from inside the VPC.",
    types: [MSK_CLUSTER],
    check: (props) => {
      const type = get(props, "brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type") ?? "DISABLED";
      return type === "DISABLED" ? undefined : `publicAccess.type is ${type}: brokers get public IP addresses`;
    },
  }),
  resourceRule({
    name: "msk-authenticated-clients",
    description: "MSK refuses unauthenticated clients and names an authentication method (IAM, SCRAM or mutual TLS) (AWS FSBP MSK.3 for unauthenticated access, CKV_AWS_291).",
    grade: "mandatory",
    severity: "high",
    remediation: "Set clientAuthentication: { sasl: { iam: true }, unauthenticated: false } (KafkaCluster does).",
    types: [MSK_CLUSTER, MSK_SERVERLESS],
    check: (props, _ctx) => {
      const auth = get(props, "clientAuthentication");
      const problems: string[] = [];
      if (isTrue(get(auth, "unauthenticated"))) problems.push("clientAuthentication.unauthenticated is true: anyone who reaches a broker can read and write");
      const iam = get(auth, "sasl", "iam");
      const hasIam = isTrue(iam) || isTrue(get(iam, "enabled"));
      const hasScram = isTrue(get(auth, "sasl", "scram"));
      const hasTls = (get(auth, "tls", "certificateAuthorityArns") ?? []).length > 0;
      if (!hasIam && !hasScram && !hasTls) problems.push("no client authentication method (IAM, SCRAM or TLS) is configured");
      return problems;
    },
  }),
  resourceRule({
    name: "msk-encryption-cmk",
    description: "MSK encrypts broker storage with a customer-managed KMS key, so the key policy governs access and CloudTrail records its use (CKV_AWS_81 at rest).",
    grade: "advisory",
    remediation: "Set encryptionInfo.encryptionAtRestKmsKeyArn to the stack's key (MSK Serverless always uses an AWS-owned key: choose provisioned where this matters).",
    types: [MSK_CLUSTER],
    check: (props) => (typeof get(props, "encryptionInfo", "encryptionAtRestKmsKeyArn") === "string" ? undefined : "encryptionAtRestKmsKeyArn is unset: an AWS-managed key encrypts the brokers' storage"),
  }),
  resourceRule({
    name: "msk-broker-logs",
    description: "MSK delivers broker logs to CloudWatch Logs, S3 or Firehose, so incidents can be investigated (CKV_AWS_80). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set loggingInfo.brokerLogs.cloudwatchLogs { enabled: true, logGroup } (with a retention on the log group).",
    types: [MSK_CLUSTER],
    check: (props) => {
      const logs = get(props, "loggingInfo", "brokerLogs");
      const enabled = ["cloudwatchLogs", "s3", "firehose"].some((d) => isTrue(get(logs, d, "enabled")));
      return enabled ? undefined : "no broker log destination is enabled";
    },
  }),
];
