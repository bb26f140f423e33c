/** Labels every Kubernetes object the library creates carries (recommended app.kubernetes.io labels). */
export const LIBRARY_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" } as const;

/**
 * Kubernetes label keys and values as the API server validates them: an optional DNS-subdomain prefix
 * (at most 253) and a name of at most 63 letters, digits, '-', '_', '.', starting and ending
 * alphanumeric; values the same name shape or empty. The mocks accept anything; these make the config
 * refuse what the API server would refuse at apply time.
 */
export const K8S_LABEL_KEY = /^(?:(?=[a-z0-9.-]{1,253}\/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const K8S_LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
