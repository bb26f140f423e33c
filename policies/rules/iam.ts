/** IAM rules: least privilege for the policies the library writes, and trust that names exactly who may assume a role. */
import { asArray, get, policyDocument, resourceRule, Statement, statements } from "./common";

export const ROLE = "aws:iam/role:Role";
const POLICY_DOCUMENT_TYPES = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:s3/bucketPolicy:BucketPolicy",
];
const ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
const ADMIN_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

/** Every policy document a resource carries: its `policy`, or a role's inline policies. */
function documentsOf(type: string, props: Record<string, any>): { label: string; doc: ReturnType<typeof policyDocument> }[] {
  if (type === ROLE) return asArray(props.inlinePolicies).map((p, i) => ({ label: `inline policy ${get(p, "name") ?? i}`, doc: policyDocument(get(p, "policy")) }));
  return [{ label: "policy", doc: policyDocument(props.policy) }];
}

function allows(s: Statement): boolean {
  return s.Effect === "Allow";
}

function actions(s: Statement): string[] {
  return asArray<string>(s.Action).map(String);
}

/** The IRSA statements of a trust policy: web identity from an EKS OIDC provider. */
function webIdentityStatements(doc: ReturnType<typeof policyDocument>): Statement[] {
  return statements(doc).filter((s) => allows(s) && actions(s).some((a) => a === "sts:AssumeRoleWithWebIdentity") && String(get(s.Principal, "Federated") ?? "").includes("oidc"));
}

export const iamPolicies = [
  resourceRule({
    name: "iam-no-admin-statement",
    description: "No IAM policy allows every action on every resource (AWS FSBP IAM.1, CIS AWS 1.16, CKV_AWS_62/63/1).",
    grade: "mandatory",
    severity: "critical",
    remediation: "List the actions the workload needs and the ARNs it needs them on.",
    types: [...POLICY_DOCUMENT_TYPES, ROLE],
    check: (props, _ctx, args) =>
      documentsOf(args.type, props).flatMap(({ label, doc }) =>
        statements(doc)
          .filter((s) => allows(s) && actions(s).some((a) => a === "*" || a === "*:*") && asArray(s.Resource).includes("*"))
          .map((s) => `${label} statement ${s.Sid ?? "(no Sid)"} allows "*" on "*"`),
      ),
  }),
  resourceRule({
    name: "iam-no-service-wildcard",
    description: "IAM policies name actions instead of allowing a whole service (`s3:*`) (AWS FSBP IAM.21, CKV_AWS_290/355).",
    grade: "advisory",
    remediation: "Replace service:* with the specific actions, e.g. s3:PutObject, s3:GetObject, s3:ListBucket.",
    types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy", ROLE],
    check: (props, _ctx, args) =>
      documentsOf(args.type, props).flatMap(({ label, doc }) =>
        statements(doc)
          .filter((s) => allows(s))
          .flatMap((s) => actions(s).filter((a) => /^[a-z0-9-]+:\*$/i.test(a)).map((a) => `${label} allows ${a}`)),
      ),
  }),
  resourceRule({
    name: "iam-no-admin-managed-policy",
    description: "No role, user or group gets the AdministratorAccess, PowerUserAccess or IAMFullAccess managed policy (CKV_AWS_274, AWS FSBP IAM.1).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Attach a policy with just the permissions needed.",
    types: ATTACHMENT_TYPES,
    check: (props) => {
      const arn = String(props.policyArn ?? "");
      const admin = ADMIN_POLICIES.find((p) => arn.endsWith(`:policy/${p}`));
      return admin ? `attaches ${admin}` : undefined;
    },
  }),
  resourceRule({
    name: "iam-trust-no-public-principal",
    description: "No role trusts every AWS principal (\"*\") without a condition (CKV_AWS_60/61, AWS FSBP IAM.1 family).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Name the account, role, service or OIDC provider allowed to assume the role.",
    types: [ROLE],
    check: (props) => {
      const doc = policyDocument(props.assumeRolePolicy);
      if (!doc) return "assumeRolePolicy is not a JSON policy document";
      return statements(doc)
        .filter((s) => allows(s) && !s.Condition && (s.Principal === "*" || asArray(get(s.Principal, "AWS")).includes("*")))
        .map((s) => `trust statement ${s.Sid ?? "(no Sid)"} lets any AWS principal assume the role`);
    },
  }),
  resourceRule({
    name: "irsa-trust-scoped",
    description: "An IRSA role trusts exactly one service account: StringEquals on the issuer's `:sub` (system:serviceaccount:<ns>:<sa>, no wildcards) and `:aud` = sts.amazonaws.com (AWS EKS Best Practices, IAM: scope the IRSA trust policy).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Use components/irsa-role.ts, which pins both conditions, or add StringEquals { <issuer>:sub, <issuer>:aud }.",
    types: [ROLE],
    check: (props) => {
      const doc = policyDocument(props.assumeRolePolicy);
      return webIdentityStatements(doc).flatMap((s) => {
        const equals = (get(s.Condition, "StringEquals") ?? {}) as Record<string, unknown>;
        const subKey = Object.keys(equals).find((k) => k.endsWith(":sub"));
        const audKey = Object.keys(equals).find((k) => k.endsWith(":aud"));
        const problems: string[] = [];
        const sub = subKey ? asArray(equals[subKey]) : [];
        if (sub.length !== 1 || !/^system:serviceaccount:[a-z0-9][-a-z0-9]*:[a-z0-9][-a-z0-9.]*$/.test(String(sub[0]))) {
          problems.push(`trust is not pinned to one service account (StringEquals :sub is ${subKey ? JSON.stringify(equals[subKey]) : "missing"})`);
        }
        if (!audKey || String(asArray(equals[audKey])[0]) !== "sts.amazonaws.com" || asArray(equals[audKey]).length !== 1) problems.push("StringEquals :aud is not sts.amazonaws.com");
        if (get(s.Condition, "StringLike")) problems.push("uses StringLike, which admits wildcards");
        return problems;
      });
    },
  }),
  resourceRule({
    name: "iam-no-user-credentials",
    description: "The stack creates no IAM users' policies or access keys: workloads use IRSA and people use SSO (AWS FSBP IAM.2, CIS AWS 1.15).",
    grade: "advisory",
    remediation: "Give the workload an IrsaRole instead of a user and access key.",
    types: ["aws:iam/userPolicy:UserPolicy", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/accessKey:AccessKey"],
    check: (_props, _ctx, args) => `${args.type.split(":").pop()} gives long-lived IAM user credentials`,
  }),
];
