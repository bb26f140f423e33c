/**
 * Policies that judge CIDR blocks do it by what the blocks cover (core/cidr.ts), not by their spelling:
 * the internet in two halves is still the internet. Each rule: the split spelling is refused, a
 * private or office-sized list is accepted.
 */
import { evaluatePlan, Plan } from "../../policies/evaluate";
import { compliantPlan, one } from "./fixtures";

const EKS = "aws:eks/cluster:Cluster";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const found = (plan: Plan, policy: string) => evaluatePlan(plan).filter((v) => v.policy === policy);

describe("eks-endpoint-not-public judges coverage", () => {
  const withCidrs = (cidrs: string[]) => {
    const plan = compliantPlan();
    Object.assign(one(plan, EKS).inputs.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: cidrs });
    return plan;
  };

  it.each([
    [["0.0.0.0/1", "128.0.0.0/1"], /publicAccessCidrs together cover the whole internet \(0.0.0.0\/1 \+ 128.0.0.0\/1\)/],
    [["0.0.0.0/1"], /publicAccessCidrs cover \d+ public IPv4 addresses \(4\d\.\d\d % of the internet; more than a \/8\)/],
    [["::/1", "8000::/1"], /cover the whole internet \(::\/1 \+ 8000::\/1\)/],
  ])("refuses %j", (cidrs, message) => {
    const violations = found(withCidrs(cidrs), "eks-endpoint-not-public");
    expect(violations.map((v) => v.message).join("\n")).toMatch(message);
    expect(violations.every((v) => v.level === "mandatory")).toBe(true);
  });

  it.each([[["203.0.113.0/24", "198.51.100.0/24"]], [["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]], [["2001:db8::/32"]]])("accepts %j", (cidrs) => {
    expect(found(withCidrs(cidrs), "eks-endpoint-not-public")).toEqual([]);
  });
});

describe("security-group-no-public-ingress judges coverage", () => {
  it("refuses PostgreSQL open to the internet in three pieces, in one rule", () => {
    const plan = compliantPlan();
    one(plan, SG).inputs.ingress = [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"] }];
    expect(found(plan, "security-group-no-public-ingress").map((v) => v.message)).toEqual([
      expect.stringMatching(/^ingress tcp 5432-5432 from 0.0.0.0\/2 \+ 64.0.0.0\/2 \+ 128.0.0.0\/1 \(together cover the whole internet .*\) exposes port 5432$/),
    ]);
  });

  it("refuses SSH from half the internet on a standalone ingress rule", () => {
    const plan = compliantPlan();
    Object.assign(one(plan, INGRESS, "database-ingress-0").inputs, { referencedSecurityGroupId: undefined, cidrIpv4: "128.0.0.0/1", fromPort: 22, toPort: 22, ipProtocol: "tcp" });
    expect(found(plan, "security-group-no-public-ingress").map((v) => v.message).join("\n")).toMatch(/from 128.0.0.0\/1 \(cover \d+ public IPv4 addresses .*\) exposes port 22/);
  });

  it("accepts the VPC's private ranges and a small office range on the same ports", () => {
    const plan = compliantPlan();
    one(plan, SG).inputs.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 5432, cidrBlocks: ["10.0.0.0/8", "172.16.0.0/12", "203.0.113.0/24"] }];
    expect(found(plan, "security-group-no-public-ingress")).toEqual([]);
  });
});
