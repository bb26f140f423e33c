import { IrsaRole } from "../components/irsa-role";
import { planOf } from "./support/plan";

const args = {
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
  oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
  namespace: "stock-analysis-system",
  serviceAccount: "postgres-backup",
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/postgresql/*" }] }),
};

describe("IrsaRole", () => {
  it("trusts exactly one service account through the cluster's OIDC provider, with the audience pinned", async () => {
    const plan = await planOf(() => new IrsaRole("backup", args));
    const trust = JSON.parse(plan.one("aws:iam/role:Role").inputs.assumeRolePolicy as string);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]).toMatchObject({ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: args.oidcProviderArn } });
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:stock-analysis-system:postgres-backup",
    });
    expect(plan.one("aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(args.policy);
  });

  it("rejects a namespace or service account that Kubernetes would not accept, before creating anything", async () => {
    const plan = await planOf(() => {
      expect(() => new IrsaRole("bad-ns", { ...args, namespace: "Stock_Analysis" })).toThrow(/^test: IrsaRole.namespace: "Stock_Analysis" — must be a Kubernetes namespace name$/);
      expect(() => new IrsaRole("bad-sa", { ...args, serviceAccount: "-backup" })).toThrow(/^test: IrsaRole.serviceAccount: "-backup" — must be a Kubernetes service account name$/);
    });
    expect(plan.ofType("aws:iam/role:Role")).toHaveLength(0);
  });
});
