import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { planOf } from "./support/plan";

describe("offline engine", () => {
  it("records parents, masks secrets and keeps dependency edges", async () => {
    const plan = await planOf(() => {
      const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" });
      const password = new random.RandomPassword("pw", { length: 32 });
      new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.0.0.0/20", tags: { token: password.result } });
    });
    const subnet = plan.one("aws:ec2/subnet:Subnet");
    expect(subnet.inputs.tags).toBe("[secret]");
    expect(subnet.dependencies).toEqual(expect.arrayContaining([plan.one("aws:ec2/vpc:Vpc").urn]));
    expect(subnet.parent).toMatch(/pulumi:pulumi:Stack/);
  });

  it("can run a second program in the same process", async () => {
    const plan = await planOf(() => new aws.s3.BucketV2("b", {}));
    expect(plan.one("aws:s3/bucketV2:BucketV2").inputs).toEqual({});
    expect(plan.resources.filter((r) => r.custom)).toHaveLength(1);
  });
});

describe("offline engine outputs and regions", () => {
  it("keeps secret stack outputs secret", async () => {
    const plan = await planOf(() => {
      const password = new random.RandomPassword("pw", { length: 20 });
      return { password: password.result, length: 20 };
    });
    expect(plan.outputs).toEqual({ password: "[secret]", length: 20 });
  });

  it("answers in the region of an explicit provider", async () => {
    const plan = await planOf(() => {
      const dr = new aws.Provider("dr-region", { region: "us-west-2" });
      const key = new aws.kms.Key("k", {}, { provider: dr });
      return { arn: key.arn };
    });
    expect(plan.outputs.arn).toMatch(/^arn:aws:kms:us-west-2:/);
  });
});
