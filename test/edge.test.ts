/**
 * The edge of a cluster (issue 18): the stack's own ALB, the AWS Load Balancer Controller that binds the
 * API's pods to it with least privilege, and cert-manager with Route53 DNS-01 issuers.
 */
import * as k8s from "@pulumi/kubernetes";
import { OfflineMocks } from "../preview/mocks";
import { VERSIONS } from "../core/versions";
import { ApiLoadBalancer, ApiLoadBalancerArgs } from "../components/api-load-balancer";
import { LoadBalancerController, LOAD_BALANCER_CONTROLLER_CHART_VERSION } from "../components/load-balancer-controller";
import { CertManager, CertManagerArgs, CERT_MANAGER_CHART_VERSION } from "../components/cert-manager";
import { ELB_HOSTED_ZONES, isLoadBalancerHostname, loadBalancerName, loadBalancerRegion } from "../core/elb";
import { planOf } from "./support/plan";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const TG = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const CERT = "aws:acm/certificate:Certificate";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

const lbArgs = (over: Partial<ApiLoadBalancerArgs> = {}): ApiLoadBalancerArgs => ({
  loadBalancerName: "runbook-infra-production-api",
  vpcId: "vpc-0123",
  vpcCidr: "10.0.0.0/16",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  scheme: "internet-facing",
  allowedCidrs: ["0.0.0.0/0"],
  zoneId: "Z0123456789ABCDEFGHIJ",
  siteName: "primary.stockanalysis.com",
  hosts: ["api.stockanalysis.com"],
  serviceName: "stock-analysis-api",
  servicePort: 8000,
  targetSecurityGroupId: "sg-cluster",
  tags: { system: "stock-analysis" },
  ...over,
});

function policyOf(plan: { ofType(t: string): Array<{ name: string; inputs: any }> }, nameIncludes: string) {
  const found = plan.ofType(ROLE_POLICY).find((p) => p.name.includes(nameIncludes));
  return JSON.parse(found!.inputs.policy);
}

describe("ApiLoadBalancer: the API's load balancer is a resource of the stack", () => {
  it("creates an ALB with a real-looking DNS name and its region's ELB zone, which the site record aliases", async () => {
    let dns = "";
    let zone = "";
    const plan = await planOf(() => {
      const lb = new ApiLoadBalancer("edge", lbArgs());
      lb.loadBalancerDnsName.apply((d) => (dns = d));
      lb.loadBalancerZoneId.apply((z) => (zone = z));
    }, { stack: "production", region: "us-west-2" });
    expect(plan.one(LB).inputs).toMatchObject({ name: "runbook-infra-production-api", loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: true, idleTimeout: 60 });
    expect(isLoadBalancerHostname(dns)).toBe(true);
    expect(loadBalancerRegion(dns)).toBe("us-west-2");
    expect(zone).toBe(ELB_HOSTED_ZONES["us-west-2"].application);
    expect(plan.one(RECORD, "edge-site").inputs).toMatchObject({ name: "primary.stockanalysis.com", type: "A", aliases: [{ name: dns, zoneId: zone, evaluateTargetHealth: true }] });
    expect(plan.one(RECORD, "edge-site").dependencies.some((d) => d.endsWith("::edge-alb"))).toBe(true);
  });

  it("terminates TLS 1.2+ with an ACM certificate for every served name, forwards only those hosts and answers 404 to any other", async () => {
    const plan = await planOf(() => new ApiLoadBalancer("edge", lbArgs()), { stack: "production" });
    expect(plan.one(CERT).inputs).toMatchObject({ domainName: "primary.stockanalysis.com", subjectAlternativeNames: ["api.stockanalysis.com"], validationMethod: "DNS" });
    const https = plan.ofType(LISTENER).find((l) => l.inputs.port === 443)!;
    expect(https.inputs).toMatchObject({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }] });
    expect(plan.one(RULE).inputs.conditions).toEqual([{ hostHeader: { values: ["primary.stockanalysis.com", "api.stockanalysis.com"] } }]);
    expect((plan.ofType(LISTENER).find((l) => l.inputs.port === 80)!.inputs as any).defaultActions[0]).toMatchObject({ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } });
    // One validation record per name, from the certificate's own validation options.
    const validations = plan.ofType(RECORD).filter((r) => r.name.startsWith("edge-validation"));
    expect(validations.map((r) => r.inputs.name)).toEqual([expect.stringMatching(/^_[0-9a-f]+\.primary\.stockanalysis\.com\.$/), expect.stringMatching(/^_[0-9a-f]+\.api\.stockanalysis\.com\.$/)]);
  });

  it("takes WebSocket settings from its arguments: idle timeout, cookie stickiness and drain (runbook 002)", async () => {
    const plan = await planOf(() => new ApiLoadBalancer("edge", lbArgs({ idleTimeoutSeconds: 3600, stickiness: { enabled: true, durationSeconds: 3600 }, deregistrationDelaySeconds: 300 })), { stack: "production" });
    expect(plan.one(LB).inputs.idleTimeout).toBe(3600);
    expect(plan.one(TG).inputs).toMatchObject({ targetType: "ip", port: 8000, protocol: "HTTPS", deregistrationDelay: 300, stickiness: { type: "lb_cookie", enabled: true, cookieDuration: 3600 } });
  });

  it("admits only the allowed CIDRs on 443/80, sends only to the VPC on the service port, and opens the pods' group to the ALB alone", async () => {
    const plan = await planOf(() => new ApiLoadBalancer("edge", lbArgs({ scheme: "internal", allowedCidrs: undefined })), { stack: "production" });
    const sg = plan.one("aws:ec2/securityGroup:SecurityGroup").inputs as any;
    expect(sg.ingress.map((r: any) => [r.fromPort, r.cidrBlocks])).toEqual([[443, ["10.0.0.0/16"]], [80, ["10.0.0.0/16"]]]);
    expect(sg.egress).toEqual([expect.objectContaining({ fromPort: 8000, toPort: 8000, cidrBlocks: ["10.0.0.0/16"] })]);
    expect(plan.one(LB).inputs.internal).toBe(true);
    expect(plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs).toMatchObject({ securityGroupId: "sg-cluster", fromPort: 8000, toPort: 8000, referencedSecurityGroupId: expect.stringMatching(/^sg-/) });
  });

  const bad: Array<[string, Partial<ApiLoadBalancerArgs>, RegExp]> = [
    ["a name AWS refuses (33 characters)", { loadBalancerName: "a".repeat(33) }, /ApiLoadBalancer\.loadBalancerName: .* — must be 1–32 letters/],
    ["a name starting with internal-", { loadBalancerName: "internal-api" }, /ApiLoadBalancer\.loadBalancerName/],
    ["an idle timeout past ALB's 4000 s", { idleTimeoutSeconds: 4001 }, /ApiLoadBalancer\.idleTimeoutSeconds: 4001 — must be an integer from 1 to 4000/],
    ["a site name that is not a DNS name", { siteName: "primary" }, /ApiLoadBalancer\.siteName: "primary" — must be a DNS name/],
    ["a stickiness cookie of 8 days", { stickiness: { enabled: true, durationSeconds: 691200 } }, /ApiLoadBalancer\.stickiness\.durationSeconds: 691200 — must be an integer from 1 to 604800/],
  ];
  it.each(bad)("rejects %s before creating anything", async (_, over, error) => {
    const plan = await planOf(() => expect(() => new ApiLoadBalancer("edge", lbArgs(over))).toThrow(error), { stack: "production" });
    expect(plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("makes load balancer names that fit AWS's 32 characters and stay distinct", () => {
    expect(loadBalancerName("runbook-infra-production", "api")).toBe("runbook-infra-production-api");
    const a = loadBalancerName("runbook-infra-intent-trading-production-dr", "api");
    const b = loadBalancerName("runbook-infra-intent-trading-production", "api");
    expect(a.length).toBeLessThanOrEqual(32);
    expect(b.length).toBeLessThanOrEqual(32);
    expect(a).not.toBe(b);
    expect(a).toMatch(/-api$/);
  });
});

describe("LoadBalancerController: binds pods, creates nothing", () => {
  const run = () =>
    planOf(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new LoadBalancerController(
        "lb-controller",
        {
          clusterName: "runbook-infra-production",
          region: "us-east-1",
          vpcId: "vpc-0123",
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
          oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
          targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123"],
          bindings: [{ namespace: "stock-analysis-system", serviceName: "stock-analysis-api", servicePort: 8000, targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123" }],
        },
        { provider },
      );
    }, { stack: "production" });

  it("installs the pinned chart with region and VPC given (no instance metadata), restricted security contexts and its IRSA role", async () => {
    const plan = await run();
    const release = plan.one(RELEASE).inputs as any;
    expect(release).toMatchObject({ chart: "aws-load-balancer-controller", version: LOAD_BALANCER_CONTROLLER_CHART_VERSION, namespace: "kube-system", repositoryOpts: { repo: "https://aws.github.io/eks-charts" } });
    expect(release.values).toMatchObject({ clusterName: "runbook-infra-production", region: "us-east-1", vpcId: "vpc-0123", replicaCount: 2, enableServiceMutatorWebhook: false });
    expect(release.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::/);
    expect(release.values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(release.values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  it("may register targets only in the stack's target groups, and create, modify or delete nothing", async () => {
    const doc = policyOf(await run(), "lb-controller");
    const actions = doc.Statement.flatMap((s: any) => s.Action);
    expect(actions.filter((a: string) => !/^(elasticloadbalancing|ec2):Describe/.test(a)).sort()).toEqual(["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"]);
    const bind = doc.Statement.find((s: any) => s.Sid === "BindPodsToOwnTargetGroupsOnly");
    expect(bind.Resource).toEqual(["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123"]);
  });

  it("binds the Service to the target group after the chart (which brings the CRD) is installed", async () => {
    const plan = await run();
    const binding = plan.one("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding") as any;
    expect(binding.inputs).toMatchObject({ metadata: { name: "stock-analysis-api-alb", namespace: "stock-analysis-system" }, spec: { serviceRef: { name: "stock-analysis-api", port: 8000 }, targetType: "ip" } });
    expect(binding.inputs.spec.networking).toBeUndefined();
    expect(binding.dependencies).toContain(plan.one(RELEASE).urn);
  });

  it("rejects a chart range", async () => {
    await planOf(
      () =>
        expect(
          () => new LoadBalancerController("lbc", { clusterName: "c", region: "us-east-1", vpcId: "v", oidcProviderArn: "a", oidcIssuer: "i", targetGroupArns: [], chartVersion: "^1.14" }),
        ).toThrow(/LoadBalancerController\.chartVersion: "\^1\.14" — must be an exact chart version/),
      { stack: "production" },
    );
  });
});

describe("CertManager: Route53 DNS-01 issuers with an identity limited to the zone's challenge records", () => {
  const certArgs = (over: Partial<CertManagerArgs> = {}): CertManagerArgs => ({
    zoneId: "Z0123456789ABCDEFGHIJ",
    zoneName: "stockanalysis.com",
    region: "us-east-1",
    email: "ops@company.com",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
    oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
    certificates: [{ namespace: "stock-analysis-system", name: "stock-analysis-api-tls", dnsNames: ["primary.stockanalysis.com", "api.stockanalysis.com"] }],
    serviceMonitor: true,
    ...over,
  });

  it("may write only TXT _acme-challenge records in the one zone", async () => {
    const doc = policyOf(await planOf(() => new CertManager("cert-manager", certArgs()), { stack: "production" }), "cert-manager");
    const change = doc.Statement.find((s: any) => s.Action === "route53:ChangeResourceRecordSets");
    expect(change.Resource).toBe("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ");
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
    expect(doc.Statement.some((s: any) => s.Resource === "*")).toBe(false);
  });

  it("installs the pinned chart with its CRDs kept, a ServiceMonitor for CertificateExpiringSoon, staging and production issuers, and the pods' certificate", async () => {
    const plan = await planOf(() => new CertManager("cert-manager", certArgs()), { stack: "production" });
    const release = plan.one(RELEASE);
    expect(release.inputs).toMatchObject({ chart: "cert-manager", version: CERT_MANAGER_CHART_VERSION, values: { crds: { enabled: true, keep: true }, prometheus: { servicemonitor: { enabled: true } } } });
    const issuers = plan.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer") as any[];
    expect(issuers.map((i) => [i.inputs.metadata.name, i.inputs.spec.acme.server])).toEqual([
      ["letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"],
      ["letsencrypt-production", "https://acme-v02.api.letsencrypt.org/directory"],
    ]);
    for (const issuer of issuers) {
      expect(issuer.inputs.spec.acme.solvers).toEqual([{ selector: { dnsZones: ["stockanalysis.com"] }, dns01: { route53: { region: "us-east-1", hostedZoneID: "Z0123456789ABCDEFGHIJ" } } }]);
      expect(issuer.dependencies).toContain(release.urn);
    }
    const cert = plan.one("kubernetes:cert-manager.io/v1:Certificate") as any;
    expect(cert.inputs.spec).toMatchObject({ secretName: "stock-analysis-api-tls", dnsNames: ["primary.stockanalysis.com", "api.stockanalysis.com"], issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" } });
    expect((plan.one("kubernetes:core/v1:Namespace").inputs as any).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("rejects a certificate for a name outside the zone, and a missing e-mail", async () => {
    await planOf(() => {
      expect(() => new CertManager("cm", certArgs({ certificates: [{ namespace: "a", name: "x", dnsNames: ["api.example.org"] }] }))).toThrow(/CertManager\.certificates\[x\]\.dnsNames: "api\.example\.org" — must be inside the zone stockanalysis\.com/);
      expect(() => new CertManager("cm2", certArgs({ email: "ops" }))).toThrow(/CertManager\.email: "ops" — must be an e-mail address/);
    }, { stack: "production" });
  });
});

describe("the offline mocks answer like AWS for load balancers and stack references", () => {
  const mocks = (stackOutputs?: (stack: string) => Promise<Record<string, unknown>>) => new OfflineMocks({ region: "us-west-2", stackOutputs });
  const args = (type: string, name: string, inputs: Record<string, unknown>) => ({ type, name, inputs, provider: "", id: "", custom: true });

  it("refuses a load balancer name AWS refuses, as CreateLoadBalancer would, and names an accepted one like AWS", () => {
    expect(() => mocks().newResource(args(LB, "too-long", { name: "x".repeat(33), loadBalancerType: "application" }))).toThrow(/load balancer name 'x+' must have 1-32 alphanumeric characters/);
    const ok = mocks().newResource(args(LB, "edge-alb", { name: "runbook-infra-production-dr-api", loadBalancerType: "application" })) as { state: any };
    expect(ok.state.dnsName).toMatch(/^runbook-infra-production-dr-api-\d{10}\.us-west-2\.elb\.amazonaws\.com$/);
    expect(ok.state.zoneId).toBe(ELB_HOSTED_ZONES["us-west-2"].application);
    expect(ok.state.arn).toMatch(/^arn:aws:elasticloadbalancing:us-west-2:\d{12}:loadbalancer\/app\/runbook-infra-production-dr-api\//);
  });

  it("answers a stack reference from the other stack's saved outputs, secrets kept secret, and fails loudly without them", async () => {
    const answered = (await mocks(async () => ({ edgeRegion: "us-west-2", kubeconfig: "[secret]" })).newResource(args("pulumi:pulumi:StackReference", "dr-stack", { name: "production-dr" }))) as { state: any };
    expect(answered.state).toEqual({ name: "production-dr", outputs: { edgeRegion: "us-west-2", kubeconfig: "[secret]" }, secretOutputNames: ["kubeconfig"] });
    await expect(mocks().newResource(args("pulumi:pulumi:StackReference", "dr-stack", { name: "production-dr" }))).rejects.toThrow(/no plan for stack reference "production-dr"; pass --stack-reference production-dr=<plan\.json>/);
  });
});

describe("the edge's pinned charts are in the one versions table", () => {
  it("lists aws-load-balancer-controller and cert-manager at the versions the components pin", () => {
    const pinned = (name: string) => VERSIONS.filter((v) => v.kind === "helmChart" && v.name === name).map((v) => v.version);
    expect(pinned("aws-load-balancer-controller")).toContain(LOAD_BALANCER_CONTROLLER_CHART_VERSION);
    expect(pinned("cert-manager")).toContain(CERT_MANAGER_CHART_VERSION);
    expect(pinned("no-such-chart")).toEqual([]);
  });
});
