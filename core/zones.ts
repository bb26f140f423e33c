/**
 * Availability zones. AZ names (us-east-1a) are shuffled per account; zone IDs (use1-az1) name the same
 * physical zone in every account, so anything that must line up across accounts (a peered runner VPC,
 * capacity reservations, the zones EKS refuses) is chosen by zone ID.
 */

/**
 * Zone IDs where EKS does not create control-plane ENIs (the EKS user guide, "VPC and subnet
 * requirements"): a cluster with a subnet there fails with UnsupportedAvailabilityZoneException.
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/** A zone ID such as "use1-az1" or "apne1-az4". */
export const ZONE_ID = /^[a-z]{2,5}\d-az\d{1,2}$/;
