/** Pure rules of the backup jobs, shared by the components and the stack (no Pulumi resources). */

/**
 * Scratch capacity for dumping a database with `storageGiB` of allocated storage (use the autoscaling
 * ceiling, `maxAllocatedStorage`, since the storage grows towards it). A custom-format dump is
 * compressed and holds no indexes, so it is smaller than the storage; the raw dump and its gzip copy
 * exist together for a moment, so the volume gets the full storage size and at least 20 GiB.
 */
export function scratchGiBForDatabase(storageGiB: number): number {
  return Math.max(20, Math.ceil(storageGiB));
}

/** True when an amazon/aws-cli image is 2.18 or later, whose `s3 cp` takes `--checksum-algorithm`. */
export function awsCliTakesChecksumAlgorithm(image: string): boolean {
  const match = /aws-cli:(\d+)\.(\d+)\./.exec(image);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 18);
}
