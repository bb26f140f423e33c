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
