import { z } from "zod";
import { cidr, int, oneOf } from "./fields";
import type { Refinement } from "./refinement";
import { LOG_RETENTION_DAYS } from "../../core/retention";
export { LOG_RETENTION_DAYS };

export const logRetentionDays = () =>
  z.number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values)` }).refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values)`,
  });

export const networkSchema = z
  .object({
    /** VPC CIDR; /16 to /20 so that the computed subnets stay usable. @default "10.0.0.0/16" */
    cidr: cidr().default("10.0.0.0/16"),
    /** Availability zones to spread over, looked up in the region. @default 3 */
    availabilityZones: int(2, 6).default(3),
    /** One NAT gateway per AZ (no cross-AZ dependency) or a single shared one (cheaper). @default "perAz" */
    natGateways: oneOf(["perAz", "single"]).default("perAz"),
    /** Days VPC flow logs are kept in CloudWatch Logs. @default 90 */
    flowLogRetentionDays: logRetentionDays().default(90),
  })
  .strict();

export type NetworkConfig = z.infer<typeof networkSchema>;

export const refineNetwork: Refinement = (config, report) => {
  const prefix = Number(config.network.cidr.split("/")[1]);
  if (prefix < 16 || prefix > 20) report(["network", "cidr"], config.network.cidr, "must have a prefix length from /16 to /20");
};
