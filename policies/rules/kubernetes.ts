/**
 * Kubernetes rules: pods that meet Pod Security "restricted", pinned images, resources for the
 * scheduler and the quota, CronJobs that cannot pile up, and HPA/PDB objects that make sense.
 */
import { CronExpressionParser } from "cron-parser";
import { asArray, get, labelsOf, resourceRule } from "./common";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
export const JOB = "kubernetes:batch/v1:Job";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
export const POD = "kubernetes:core/v1:Pod";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart";

export const WORKLOADS = [DEPLOYMENT, STATEFUL_SET, DAEMON_SET, "kubernetes:apps/v1:ReplicaSet", JOB, CRON_JOB, POD];
export const BACKUP_LABEL = "runbook.dev/backup";
export const LIBRARY_LABELS: Record<string, string> = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" };
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];
/** Annotation that records why a namespace must run privileged pods. */
export const EXCEPTION_ANNOTATION = "runbook.dev/pod-security-exception";

const MACROS: Record<string, string> = { "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *" };

/** A CronJob schedule as a five-field expression (Kubernetes also accepts the @daily-style macros), or undefined. */
export function normalizeSchedule(schedule: unknown): string | undefined {
  if (typeof schedule !== "string") return undefined;
  const trimmed = schedule.trim();
  if (trimmed.startsWith("@")) return MACROS[trimmed];
  return trimmed.split(/\s+/).length === 5 ? trimmed : undefined;
}

/** The pod spec of any workload kind. */
export function podSpecOf(type: string, props: unknown): Record<string, any> | undefined {
  if (type === POD) return get(props, "spec");
  if (type === CRON_JOB) return get(props, "spec", "jobTemplate", "spec", "template", "spec");
  return get(props, "spec", "template", "spec");
}

interface Container {
  kind: "container" | "initContainer";
  spec: Record<string, any>;
}

function containersOf(pod: Record<string, any> | undefined): Container[] {
  return [
    ...asArray(get(pod, "initContainers")).map((spec) => ({ kind: "initContainer" as const, spec })),
    ...asArray(get(pod, "containers")).map((spec) => ({ kind: "container" as const, spec })),
  ];
}

function label(c: Container): string {
  return `${c.kind} ${c.spec.name ?? "(unnamed)"}`;
}

/** Runs `check` on every container of a workload's pod spec. */
function perContainer(check: (c: Container, pod: Record<string, any>) => string | undefined) {
  return (props: Record<string, any>, _ctx: unknown, args: { type: string }) => {
    const pod = podSpecOf(args.type, props);
    if (!pod) return undefined;
    return containersOf(pod)
      .map((c) => check(c, pod))
      .filter((m): m is string => !!m);
  };
}

/** Image reference → its tag or digest problem, if any. */
export function imageProblem(image: unknown): string | undefined {
  if (typeof image !== "string" || image === "") return "has no image";
  if (image.includes("@sha256:")) return undefined;
  const lastSegment = image.split("/").pop() ?? image;
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  if (!tag) return `image ${image} has no tag (means latest)`;
  if (tag === "latest") return `image ${image} uses the latest tag`;
  return undefined;
}

function quantityUnset(resources: unknown, kind: "requests" | "limits", resource: "cpu" | "memory"): boolean {
  const v = get(resources, kind, resource);
  return v === undefined || v === null || v === "" || v === 0 || v === "0";
}

function isPercentOrInt(v: unknown): boolean {
  return (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^(\d+%|\d+)$/.test(v));
}

/** maxUnavailable 0 / 0% or minAvailable 100% forbid every voluntary eviction: node drains hang. */
function blocksAllEvictions(spec: Record<string, any>): boolean {
  const max = spec.maxUnavailable;
  const min = spec.minAvailable;
  return max === 0 || max === "0" || max === "0%" || min === "100%";
}

export const kubernetesPolicies = [
  resourceRule({
    name: "k8s-run-as-non-root",
    description: "Containers run as a non-root user without privilege escalation or privileged mode (Pod Security restricted; kube-score container-security-context-user-group-id and -privileged; CKV_K8S_16/20/23/40).",
    grade: "mandatory",
    severity: "high",
    remediation: "Set securityContext runAsNonRoot: true, runAsUser/runAsGroup non-zero, allowPrivilegeEscalation: false, privileged unset.",
    types: WORKLOADS,
    check: perContainer((c, pod) => {
      const sc = c.spec.securityContext ?? {};
      const podSc = pod.securityContext ?? {};
      const problems: string[] = [];
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push("runAsNonRoot is not true");
      const user = sc.runAsUser ?? podSc.runAsUser;
      if (user === 0 || user === "0") problems.push("runAsUser is 0");
      const group = sc.runAsGroup ?? podSc.runAsGroup;
      if (group === 0 || group === "0") problems.push("runAsGroup is 0");
      if (sc.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
      if (sc.privileged === true) problems.push("privileged is true");
      return problems.length ? `${label(c)}: ${problems.join(", ")}` : undefined;
    }),
  }),
  resourceRule({
    name: "k8s-restricted-capabilities",
    description: "Containers drop ALL capabilities and use the RuntimeDefault (or Localhost) seccomp profile (Pod Security restricted; CKV_K8S_28/31/37; kube-score container-seccomp-profile).",
    grade: "mandatory",
    remediation: "Set securityContext.capabilities.drop: [\"ALL\"] and seccompProfile.type: RuntimeDefault (pod or container).",
    types: WORKLOADS,
    check: perContainer((c, pod) => {
      const problems: string[] = [];
      if (!asArray(get(c.spec, "securityContext", "capabilities", "drop")).includes("ALL")) problems.push("capabilities.drop lacks ALL");
      const added = asArray<string>(get(c.spec, "securityContext", "capabilities", "add")).filter((cap) => cap !== "NET_BIND_SERVICE");
      if (added.length) problems.push(`adds capabilities ${added.join(", ")}`);
      const seccomp = get(c.spec, "securityContext", "seccompProfile", "type") ?? get(pod, "securityContext", "seccompProfile", "type");
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`seccompProfile is ${seccomp ?? "unset"}`);
      return problems.length ? `${label(c)}: ${problems.join(", ")}` : undefined;
    }),
  }),
  resourceRule({
    name: "k8s-read-only-root-filesystem",
    description: "Containers mount their root filesystem read-only, with emptyDir for scratch (kube-score container-security-context-readonlyrootfilesystem, CKV_K8S_22).",
    grade: "advisory",
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes.",
    types: WORKLOADS,
    check: perContainer((c) => (get(c.spec, "securityContext", "readOnlyRootFilesystem") === true ? undefined : `${label(c)}: readOnlyRootFilesystem is not true`)),
  }),
  resourceRule({
    name: "k8s-container-resources",
    description: "Containers request and limit CPU and memory, so the scheduler, the quota and the HPA's utilization all work (kube-score container-resources, CKV_K8S_10/11/12/13).",
    grade: "mandatory",
    remediation: "Set resources.requests and resources.limits for cpu and memory.",
    types: WORKLOADS,
    check: perContainer((c) => {
      const missing = (["requests", "limits"] as const).flatMap((kind) => (["cpu", "memory"] as const).filter((r) => quantityUnset(c.spec.resources, kind, r)).map((r) => `${kind}.${r}`));
      return missing.length ? `${label(c)}: no ${missing.join(", ")}` : undefined;
    }),
  }),
  resourceRule({
    name: "k8s-image-pinned",
    description: "Container images are pinned by a tag other than latest, or by digest (kube-score container-image-tag, CKV_K8S_14/43).",
    grade: "mandatory",
    remediation: "Use image:<version> or image@sha256:<digest>.",
    types: WORKLOADS,
    check: perContainer((c) => {
      const problem = imageProblem(c.spec.image);
      return problem ? `${label(c)}: ${problem}` : undefined;
    }),
  }),
  resourceRule({
    name: "k8s-no-host-access",
    description: "Pods do not share the node's network, PID or IPC namespaces and mount no hostPath (Pod Security baseline; CKV_K8S_17/18/19, CKV_K8S_27 hostPath).",
    grade: "mandatory",
    severity: "high",
    remediation: "Remove hostNetwork/hostPID/hostIPC and hostPath volumes; use a PVC or emptyDir.",
    types: WORKLOADS,
    check: (props, _ctx, args) => {
      const pod = podSpecOf(args.type, props);
      if (!pod) return undefined;
      const problems = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => pod[k] === true).map((k) => `${k} is true`);
      for (const v of asArray(pod.volumes)) if (get(v, "hostPath")) problems.push(`volume ${get(v, "name")} mounts hostPath ${get(v, "hostPath", "path")}`);
      return problems;
    },
  }),
  resourceRule({
    name: "k8s-readiness-probe",
    description: "Long-running containers declare a readiness probe, so rollouts and Services only send traffic to ready pods (kube-score pod-probes, CKV_K8S_9).",
    grade: "advisory",
    remediation: "Add readinessProbe (e.g. httpGet /health) to each container.",
    types: [DEPLOYMENT, STATEFUL_SET],
    check: (props, _ctx, args) =>
      containersOf(podSpecOf(args.type, props))
        .filter((c) => c.kind === "container" && !c.spec.readinessProbe)
        .map((c) => `${label(c)} has no readinessProbe`),
  }),
  resourceRule({
    name: "k8s-not-default-namespace",
    description: "Objects live in a named namespace, not `default`, so quotas, Pod Security labels and RBAC apply (CKV_K8S_21).",
    grade: "advisory",
    remediation: "Set metadata.namespace to the application namespace.",
    types: [...WORKLOADS, HPA, PDB, NETWORK_POLICY, "kubernetes:core/v1:Service", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret", "kubernetes:core/v1:ServiceAccount"],
    check: (props) => {
      const ns = get(props, "metadata", "namespace");
      return ns === undefined || ns === "" || ns === "default" ? `namespace is ${ns || "unset (default)"}` : undefined;
    },
  }),
  resourceRule({
    name: "k8s-library-labels",
    description: "Kubernetes objects carry app.kubernetes.io/managed-by=pulumi and app.kubernetes.io/part-of=runbook-infra, so they can be found and are known to be owned by the stack (Kubernetes recommended labels).",
    grade: "advisory",
    remediation: "Add the two labels to metadata.labels.",
    types: [...WORKLOADS, HPA, PDB, NAMESPACE, NETWORK_POLICY, "kubernetes:monitoring.coreos.com/v1:PrometheusRule"],
    check: (props) => {
      const labels = labelsOf(props);
      const missing = Object.entries(LIBRARY_LABELS).filter(([k, v]) => labels[k] !== v);
      return missing.length ? `missing labels ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}` : undefined;
    },
  }),
  resourceRule({
    name: "k8s-namespace-pod-security",
    description: "Namespaces enforce Pod Security admission at restricted or baseline; privileged only with a written runbook.dev/pod-security-exception annotation while audit and warn stay restricted (Kubernetes Pod Security Standards; CIS Kubernetes 5.2).",
    grade: "mandatory",
    config: { exemptNamespaces: { type: "array", items: { type: "string" }, default: SYSTEM_NAMESPACES, description: "Namespaces allowed to run privileged pods. @default [\"kube-system\", \"kube-public\", \"kube-node-lease\"]" } },
    remediation: "Label the namespace pod-security.kubernetes.io/enforce: restricted (plus audit and warn).",
    types: [NAMESPACE],
    check: (props, ctx, args) => {
      const name = get(props, "metadata", "name") ?? args.name;
      if (asArray(ctx.config.exemptNamespaces).includes(name)) return undefined;
      const labels = labelsOf(props);
      const enforce = labels["pod-security.kubernetes.io/enforce"];
      if (enforce === "restricted" || enforce === "baseline") return undefined;
      // A written exception (node-exporter needs the host) passes when audit and warn still say restricted, so every
      // pod that uses the exception stays visible in the audit log and in kubectl.
      const reason = get(props, "metadata", "annotations", EXCEPTION_ANNOTATION);
      if (enforce === "privileged" && typeof reason === "string" && reason.trim() !== "" && labels["pod-security.kubernetes.io/audit"] === "restricted" && labels["pod-security.kubernetes.io/warn"] === "restricted") return undefined;
      return `namespace ${name} enforces ${enforce ?? "nothing"} (pod-security.kubernetes.io/enforce) without a ${EXCEPTION_ANNOTATION} annotation and restricted audit/warn`;
    },
  }),
  resourceRule({
    name: "k8s-cronjob-no-concurrency",
    description: "CronJobs never run two copies at once (concurrencyPolicy Forbid, or Replace for non-backup jobs): two pg_dumps or restores racing corrupt each other (runbook 001 backups; no kube-score or Checkov id).",
    grade: "mandatory",
    severity: "high",
    remediation: "Set spec.concurrencyPolicy: Forbid.",
    types: [CRON_JOB],
    check: (props) => {
      const policy = get(props, "spec", "concurrencyPolicy") ?? "Allow";
      const backup = labelsOf(props)[BACKUP_LABEL] !== undefined;
      if (policy === "Forbid") return undefined;
      if (policy === "Replace" && !backup) return undefined;
      return `concurrencyPolicy is ${policy}${backup ? " on a backup job (must be Forbid)" : ""}`;
    },
  }),
  resourceRule({
    name: "k8s-cronjob-deadlines",
    description: "CronJobs bound how late a run may start (startingDeadlineSeconds), how long it may run (activeDeadlineSeconds) and how often it retries (backoffLimit ≤ 6), so a hung backup is noticed (kube-score cronjob-has-deadline). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set spec.startingDeadlineSeconds, spec.jobTemplate.spec.activeDeadlineSeconds and spec.jobTemplate.spec.backoffLimit.",
    types: [CRON_JOB],
    check: (props) => {
      const problems: string[] = [];
      if (!(Number(get(props, "spec", "startingDeadlineSeconds")) > 0)) problems.push("startingDeadlineSeconds is unset");
      if (!(Number(get(props, "spec", "jobTemplate", "spec", "activeDeadlineSeconds")) > 0)) problems.push("activeDeadlineSeconds is unset");
      const backoff = get(props, "spec", "jobTemplate", "spec", "backoffLimit");
      if (backoff === undefined || Number(backoff) > 6) problems.push(`backoffLimit is ${backoff ?? "unset"}`);
      return problems;
    },
  }),
  resourceRule({
    name: "k8s-cronjob-history",
    description: "CronJobs keep a bounded history with at least one failed Job, so the failed backup's logs can be read (runbook 001 backup verification; no kube-score or Checkov id).",
    grade: "advisory",
    remediation: "Set successfulJobsHistoryLimit (e.g. 3) and failedJobsHistoryLimit ≥ 1.",
    types: [CRON_JOB],
    check: (props) => {
      const problems: string[] = [];
      if (get(props, "spec", "successfulJobsHistoryLimit") === undefined) problems.push("successfulJobsHistoryLimit is unset");
      const failed = get(props, "spec", "failedJobsHistoryLimit");
      if (failed === undefined || Number(failed) < 1) problems.push(`failedJobsHistoryLimit is ${failed ?? "unset"}`);
      return problems;
    },
  }),
  resourceRule({
    name: "k8s-cronjob-valid-schedule",
    description: "CronJob schedules and time zones parse, so the job actually runs when the runbook says (Kubernetes CronJob spec).",
    grade: "mandatory",
    remediation: "Use a five-field cron expression (e.g. \"0 2 * * *\") and an IANA timeZone such as Etc/UTC.",
    types: [CRON_JOB],
    check: (props) => {
      const schedule = get(props, "spec", "schedule");
      const timeZone = get(props, "spec", "timeZone");
      if (timeZone !== undefined) {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: String(timeZone) });
        } catch {
          return `timeZone ${JSON.stringify(timeZone)} is not an IANA time zone`;
        }
      }
      const expression = normalizeSchedule(schedule);
      if (!expression) return `schedule ${JSON.stringify(schedule)} is not a five-field cron expression or @macro`;
      try {
        CronExpressionParser.parse(expression, { tz: timeZone ?? "UTC", strict: false });
      } catch (error) {
        return `schedule ${JSON.stringify(schedule)}${timeZone ? ` in ${timeZone}` : ""} does not parse: ${(error as Error).message}`;
      }
      return undefined;
    },
  }),
  resourceRule({
    name: "k8s-hpa-bounds",
    description: "HPAs scale between sane bounds: 1 ≤ minReplicas < maxReplicas, at least one metric, utilization targets in 1–100 (kube-score horizontalpodautoscaler-has-target; runbook 001 scaling).",
    grade: "mandatory",
    remediation: "Set minReplicas ≥ 1, maxReplicas > minReplicas and metrics with averageUtilization between 1 and 100.",
    types: [HPA],
    check: (props) => {
      const spec = get(props, "spec") ?? {};
      const min = Number(spec.minReplicas ?? 1);
      const max = Number(spec.maxReplicas);
      const problems: string[] = [];
      if (!(min >= 1)) problems.push(`minReplicas is ${spec.minReplicas}`);
      if (!(max > min)) problems.push(`maxReplicas ${spec.maxReplicas} is not above minReplicas ${min}`);
      const metrics = asArray(spec.metrics);
      if (metrics.length === 0) problems.push("no metrics");
      for (const m of metrics) {
        const u = get(m, "resource", "target", "averageUtilization") ?? get(m, "containerResource", "target", "averageUtilization");
        if (u !== undefined && !(Number(u) >= 1 && Number(u) <= 100)) problems.push(`target utilization ${u} is outside 1–100`);
      }
      if (!get(spec, "scaleTargetRef", "name") || !get(spec, "scaleTargetRef", "kind")) problems.push("scaleTargetRef has no kind/name");
      return problems;
    },
  }),
  resourceRule({
    name: "k8s-hpa-high-availability",
    description: "HPAs keep at least two replicas, so one pod's loss or a node drain never takes the service down (kube-score deployment-replicas; runbook 001: API min 3). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set minReplicas: 2 or more.",
    types: [HPA],
    check: (props) => {
      const min = Number(get(props, "spec", "minReplicas") ?? 1);
      return min >= 2 ? undefined : `minReplicas is ${min}`;
    },
  }),
  resourceRule({
    name: "k8s-pdb-valid",
    description: "A PodDisruptionBudget has a selector and exactly one of minAvailable/maxUnavailable, and still allows evictions so node drains and upgrades finish (kube-score poddisruptionbudget-has-policy).",
    grade: "mandatory",
    remediation: "Set spec.selector.matchLabels and maxUnavailable: 1 (or minAvailable below 100%).",
    types: [PDB],
    check: (props) => {
      const spec = get(props, "spec") ?? {};
      const problems: string[] = [];
      const selector = get(spec, "selector");
      if (!selector || (Object.keys(get(selector, "matchLabels") ?? {}).length === 0 && asArray(get(selector, "matchExpressions")).length === 0)) problems.push("selector selects no labels");
      const both = spec.minAvailable !== undefined && spec.maxUnavailable !== undefined;
      const neither = spec.minAvailable === undefined && spec.maxUnavailable === undefined;
      if (both || neither) problems.push("must set exactly one of minAvailable and maxUnavailable");
      for (const key of ["minAvailable", "maxUnavailable"]) if (spec[key] !== undefined && !isPercentOrInt(spec[key])) problems.push(`${key} ${JSON.stringify(spec[key])} is not an integer or percentage`);
      if (blocksAllEvictions(spec)) problems.push("allows no voluntary evictions, so node drains never finish");
      return problems;
    },
  }),
  resourceRule({
    name: "helm-release-pinned",
    description: "Helm releases pin an exact chart version, so a preview shows what will be installed (runbook: no floating versions; no Checkov id).",
    grade: "mandatory",
    remediation: "Set version to an exact chart version such as \"65.1.0\".",
    types: [HELM_RELEASE, HELM_CHART_V4],
    check: (props) => {
      const version = props.version;
      if (typeof version !== "string" || version === "") return "version is unset, so the latest chart is installed";
      return /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version) ? undefined : `version ${version} is a range, not an exact version`;
    },
  }),
];
