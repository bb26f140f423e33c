/** Labels every Kubernetes object the library creates carries (recommended app.kubernetes.io labels). */
export const LIBRARY_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" } as const;
