/**
 * The one table of versions this library deploys or accepts, with the dates their support ends.
 *
 * Pure data and date arithmetic: components, the config schema, the preview and the policy pack all read
 * it, so a version that leaves support is refused in one place. Dates are ISO days (UTC), taken from the
 * vendor's own calendar (`source`); a version without an announced end has none (`standardEnds` unset)
 * and is judged "standard".
 *
 * Statuses on a given day: `standard` (in standard support, more than WARN_DAYS before its end),
 * `ending` (in standard support, within WARN_DAYS of its end: warn), `extended` (past standard support,
 * still in paid/extended or LTS support: warn, refused in production by the policy pack), `ended` (past
 * every support: refused everywhere, because AWS will not create it or nobody patches it).
 */

export type VersionKind = "eks" | "postgres" | "redis" | "valkey" | "msk" | "helmChart" | "image";

export interface VersionEntry {
  kind: VersionKind;
  /** Product: "kubernetes", "postgres", "redis", "valkey", a chart name or an image repository. */
  name: string;
  /** Minor/major version as config writes it ("1.35", "17", "7.1") or the exact pin (chart, image tag). */
  version: string;
  /** Day the version became available, when the vendor publishes it. */
  released?: string;
  /** Last day of standard support. Unset: no end announced. */
  standardEnds?: string;
  /** Last day of extended support (EKS extended, RDS Extended Support, OS LTS). Unset: none beyond standard. */
  extendedEnds?: string;
  /** Where the dates come from. */
  source: string;
  /** Why an entry has the dates it has (base OS of an image, app version of a chart). */
  note?: string;
}

/** Days before a standard-support end at which the preview and the pack start to warn. */
export const WARN_DAYS = 90;

/** The day the library judges support on: `RUNBOOK_TODAY` (tests, reproducible plans) or the clock. */
export function today(): string {
  const fixed = typeof process !== "undefined" ? process.env.RUNBOOK_TODAY : undefined;
  if (fixed && /^\d{4}-\d{2}-\d{2}$/.test(fixed)) return fixed;
  return new Date().toISOString().slice(0, 10);
}

const EKS_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";
const RDS_SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html";
const MSK_SOURCE = "https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html";
const ELASTICACHE_SOURCE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html";

export const VERSIONS: readonly VersionEntry[] = [
  // EKS: 14 months standard support from release, then 12 months extended (AWS docs).
  { kind: "eks", name: "kubernetes", version: "1.29", released: "2024-01-23", standardEnds: "2025-03-23", extendedEnds: "2026-03-23", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.30", released: "2024-05-23", standardEnds: "2025-07-23", extendedEnds: "2026-07-23", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.31", released: "2024-09-26", standardEnds: "2025-11-26", extendedEnds: "2026-11-26", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.32", released: "2025-01-23", standardEnds: "2026-03-23", extendedEnds: "2027-03-23", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.33", released: "2025-05-29", standardEnds: "2026-07-29", extendedEnds: "2027-07-29", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.34", released: "2025-10-02", standardEnds: "2026-12-02", extendedEnds: "2027-12-02", source: EKS_SOURCE },
  { kind: "eks", name: "kubernetes", version: "1.35", released: "2026-01-28", standardEnds: "2027-03-27", extendedEnds: "2028-03-27", source: EKS_SOURCE },

  // RDS for PostgreSQL majors: RDS end of standard support, then 3 years of RDS Extended Support.
  { kind: "postgres", name: "postgres", version: "13", standardEnds: "2026-02-28", extendedEnds: "2029-02-28", source: RDS_SOURCE },
  { kind: "postgres", name: "postgres", version: "14", standardEnds: "2027-02-28", extendedEnds: "2030-02-28", source: RDS_SOURCE },
  { kind: "postgres", name: "postgres", version: "15", standardEnds: "2028-02-29", extendedEnds: "2031-02-28", source: RDS_SOURCE },
  { kind: "postgres", name: "postgres", version: "16", standardEnds: "2029-02-28", extendedEnds: "2032-02-29", source: RDS_SOURCE },
  { kind: "postgres", name: "postgres", version: "17", standardEnds: "2030-02-28", extendedEnds: "2033-02-28", source: RDS_SOURCE },

  // ElastiCache: Redis OSS 4/5 ended standard support 2026-01-31, 6.x ends 2027-01-31 (extended to 2030-01-31);
  // 7.x and Valkey have no announced end.
  { kind: "redis", name: "redis", version: "6.2", standardEnds: "2027-01-31", extendedEnds: "2030-01-31", source: ELASTICACHE_SOURCE },
  { kind: "redis", name: "redis", version: "7.0", source: ELASTICACHE_SOURCE },
  { kind: "redis", name: "redis", version: "7.1", source: ELASTICACHE_SOURCE },
  { kind: "valkey", name: "valkey", version: "7.2", source: ELASTICACHE_SOURCE },
  { kind: "valkey", name: "valkey", version: "8.0", source: ELASTICACHE_SOURCE },
  { kind: "valkey", name: "valkey", version: "8.1", source: ELASTICACHE_SOURCE },

  // Amazon MSK (Kafka): 3.6.0 and later have no announced end of support; 3.5.1 ended 2025-10-23, 3.4.0 on
  // 2025-08-04. 3.6.0 is also the first version with MSK's topic API (aws.msk.Topic).
  { kind: "msk", name: "kafka", version: "3.5.1", released: "2023-09-26", standardEnds: "2025-10-23", source: MSK_SOURCE },
  { kind: "msk", name: "kafka", version: "3.6.0", released: "2023-11-16", source: MSK_SOURCE },
  { kind: "msk", name: "kafka", version: "3.7.x", released: "2024-05-29", source: MSK_SOURCE },
  { kind: "msk", name: "kafka", version: "3.8.x", released: "2025-02-20", source: MSK_SOURCE, note: "AWS's recommended version" },
  { kind: "msk", name: "kafka", version: "3.9.x", released: "2025-04-21", source: MSK_SOURCE },
  { kind: "msk", name: "kafka", version: "4.0.x", released: "2025-05-16", source: MSK_SOURCE },

  // Helm charts: the projects support only their latest releases; no vendor end date. Pins are reviewed
  // when the chart's app leaves support (cluster-autoscaler follows the Kubernetes minor it is built for).
  { kind: "helmChart", name: "metrics-server", version: "3.12.2", source: "https://github.com/kubernetes-sigs/metrics-server/releases", note: "metrics-server 0.7.2" },
  { kind: "helmChart", name: "cluster-autoscaler", version: "9.38.0", source: "https://github.com/kubernetes/autoscaler/releases", note: "image tag follows the cluster's Kubernetes minor (clusterAutoscalerImageTag)" },
  { kind: "helmChart", name: "kube-prometheus-stack", version: "75.8.1", source: "https://github.com/prometheus-community/helm-charts/releases" },
  { kind: "helmChart", name: "prometheus-cloudwatch-exporter", version: "0.26.0", source: "https://github.com/prometheus-community/helm-charts/releases", note: "prometheus/cloudwatch_exporter 0.16.0 (MSK consumer lag, data-tier CloudWatch signals)" },

  { kind: "helmChart", name: "aws-load-balancer-controller", version: "1.14.1", source: "https://github.com/aws/eks-charts/releases", note: "AWS Load Balancer Controller v2.14.1 (the edge: ALB and TargetGroupBinding)" },
  { kind: "helmChart", name: "cert-manager", version: "v1.19.1", source: "https://cert-manager.io/docs/releases/", note: "cert-manager supports its two latest minors" },
  { kind: "helmChart", name: "fluent-bit", version: "0.49.0", source: "https://github.com/fluent/helm-charts/releases", note: "Fluent Bit 4.0 (log shipping to CloudWatch Logs)" },

  // Exporter and agent images: upstream rebuilds each release on a maintained minimal base; no vendor end
  // date, so the pin is reviewed with the chart or exporter release.
  { kind: "image", name: "cr.fluentbit.io/fluent/fluent-bit", version: "4.0.3", source: "https://github.com/fluent/fluent-bit/releases", note: "distroless Debian base" },
  { kind: "image", name: "quay.io/prometheuscommunity/postgres-exporter", version: "v0.20.1", source: "https://github.com/prometheus-community/postgres_exporter/releases", note: "busybox base" },
  { kind: "image", name: "oliver006/redis_exporter", version: "v1.91.1", source: "https://github.com/oliver006/redis_exporter/releases", note: "static binary on scratch with CA certificates" },

  // Job images: support ends with their base OS. Amazon Linux 2 ends 2026-06-30 (amazon/aws-cli moved to
  // Amazon Linux 2023 on 2025-07-15, aws/aws-cli#9586); Debian 12 "bookworm" security support ended
  // 2026-06-10 (LTS to 2028-06-30); Debian 13 "trixie" is supported to 2028-08 (LTS 2030-06-30).
  { kind: "image", name: "amazon/aws-cli", version: "2.17.50", standardEnds: "2026-06-30", source: "https://aws.amazon.com/amazon-linux-2/faqs/", note: "Amazon Linux 2 base" },
  { kind: "image", name: "amazon/aws-cli", version: "2.34.24", standardEnds: "2029-06-30", source: "https://aws.amazon.com/linux/amazon-linux-2023/faqs/", note: "Amazon Linux 2023 base" },
  { kind: "image", name: "alpine/k8s", version: "1.31.4", standardEnds: "2025-10-28", source: "https://kubernetes.io/releases/", note: "kubectl 1.31: upstream patch support ended; kubectl is supported within one minor of the API server" },
  { kind: "image", name: "alpine/k8s", version: "1.34.1", standardEnds: "2026-10-27", extendedEnds: "2027-12-02", source: "https://kubernetes.io/releases/", note: "kubectl 1.34: upstream patch support ended; still within one minor of EKS 1.35" },
  { kind: "image", name: "alpine/k8s", version: "1.35.4", standardEnds: "2027-02-28", source: "https://kubernetes.io/releases/", note: "kubectl 1.35, the default EKS version's minor (upstream patch support to 2027-02-28)" },
  ...(["13.22", "14.19", "15.14", "16.10", "17.6"] as const).map(
    (v): VersionEntry => ({ kind: "image", name: "postgres", version: `${v}-trixie`, standardEnds: "2028-08-09", extendedEnds: "2030-06-30", source: "https://www.debian.org/releases/trixie/", note: "Debian 13 trixie base" }),
  ),
  ...(["13.18", "14.15", "15.10", "16.6", "17.2"] as const).map(
    (v): VersionEntry => ({ kind: "image", name: "postgres", version: `${v}-bookworm`, standardEnds: "2026-06-10", extendedEnds: "2028-06-30", source: "https://www.debian.org/releases/bookworm/", note: "Debian 12 bookworm base (LTS only)" }),
  ),
];

/** Default versions: each in standard support on the day this table was last reviewed (2026-11-30). */
export const DEFAULT_VERSIONS = {
  eks: "1.35",
  postgres: "16",
  redis: "7.1",
  valkey: "8.1",
} as const;

/** Job images the library runs by default (all on supported bases). */
export const AWS_CLI_IMAGE = "amazon/aws-cli:2.34.24";
export const KUBECTL_IMAGE = "alpine/k8s:1.35.4";
export const POSTGRES_CLIENT_IMAGES: Readonly<Record<string, string>> = {
  "13": "postgres:13.22-trixie",
  "14": "postgres:14.19-trixie",
  "15": "postgres:15.14-trixie",
  "16": "postgres:16.10-trixie",
  "17": "postgres:17.6-trixie",
};

/** The edge's charts (see the table above). */
export const LOAD_BALANCER_CONTROLLER_CHART_VERSION = "1.14.1";
export const CERT_MANAGER_CHART_VERSION = "v1.19.1";

/** The log agent and the data-tier exporters (see the table above). */
export const FLUENT_BIT_CHART_VERSION = "0.49.0";
export const FLUENT_BIT_IMAGE = { repository: "cr.fluentbit.io/fluent/fluent-bit", tag: "4.0.3" } as const;
export const POSTGRES_EXPORTER_IMAGE = "quay.io/prometheuscommunity/postgres-exporter:v0.20.1";
export const REDIS_EXPORTER_IMAGE = "oliver006/redis_exporter:v1.91.1";

/** Current instance generations offered beside the runbooks' m5/r5 (Graviton and Intel). */
export const CURRENT_INSTANCE_TYPES = {
  nodes: ["m7i.large", "m7i.xlarge", "m7i.2xlarge", "m7g.large", "m7g.xlarge", "m7g.2xlarge"],
  database: ["db.r7g.large", "db.r7g.xlarge", "db.r7g.2xlarge", "db.m7g.large", "db.m7i.large"],
  cache: ["cache.r7g.large", "cache.r7g.xlarge", "cache.m7g.large"],
} as const;

export type SupportStatus = "standard" | "ending" | "extended" | "ended" | "unknown";

export interface SupportVerdict {
  status: SupportStatus;
  entry?: VersionEntry;
  /** One sentence for messages: "EKS 1.31: extended support ended 2026-11-26". */
  summary: string;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const LABEL: Record<VersionKind, string> = { eks: "EKS", postgres: "RDS PostgreSQL", redis: "ElastiCache Redis OSS", valkey: "ElastiCache Valkey", msk: "MSK Kafka", helmChart: "chart", image: "image" };

/** Finds the table entry for a version; PostgreSQL "16.4" matches major "16", images match "repo:tag". */
export function findVersion(kind: VersionKind, version: string, name?: string): VersionEntry | undefined {
  let wanted = version;
  let wantedName = name;
  if (kind === "postgres") wanted = version.split(".")[0];
  if (kind === "image" && name === undefined) {
    const at = version.lastIndexOf(":");
    wantedName = version.slice(0, at);
    wanted = version.slice(at + 1);
  }
  return VERSIONS.find((e) => e.kind === kind && e.version === wanted && (wantedName === undefined || e.name === wantedName));
}

/** Support status of a version on `day` (default: today()). */
export function supportStatus(kind: VersionKind, version: string, day: string = today(), name?: string): SupportVerdict {
  const entry = findVersion(kind, version, name);
  const label = kind === "image" ? (name ? `${name}:${version}` : version) : kind === "helmChart" ? `${name ?? "chart"} ${version}` : `${LABEL[kind]} ${version}`;
  if (!entry) return { status: "unknown", summary: `${label}: not in the versions table (core/versions.ts)` };
  if (!entry.standardEnds || day <= entry.standardEnds) {
    if (entry.standardEnds && day > addDays(entry.standardEnds, -WARN_DAYS)) return { status: "ending", entry, summary: `${label}: standard support ends ${entry.standardEnds}` };
    return { status: "standard", entry, summary: entry.standardEnds ? `${label}: standard support until ${entry.standardEnds}` : `${label}: in support (no end announced)` };
  }
  if (entry.extendedEnds && day <= entry.extendedEnds) return { status: "extended", entry, summary: `${label}: standard support ended ${entry.standardEnds}; extended support only, until ${entry.extendedEnds}` };
  return { status: "ended", entry, summary: `${label}: support ended ${entry.extendedEnds ?? entry.standardEnds}` };
}

/** Versions of a kind still creatable on `day` (not "ended"), oldest first: what the config accepts. */
export function acceptedVersions(kind: VersionKind, day: string = today()): string[] {
  return VERSIONS.filter((e) => e.kind === kind && supportStatus(kind, e.version, day, e.name).status !== "ended").map((e) => e.version);
}
