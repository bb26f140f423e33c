import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { K8S_NAME } from "../core/patterns";

export interface ConnectionSecretArgs {
  /** Namespace the consuming pods run in. No default. */
  namespace: pulumi.Input<string>;
  /** Name of the Secret (pods refer to it with envFrom / secretKeyRef). No default. */
  secretName: string;
  /** Environment-style keys to values; the whole map is stored as a Pulumi secret, credentials or not. No default. */
  data: Record<string, pulumi.Input<string>>;
  /** Extra labels besides the library's managed-by/part-of labels. @default {} */
  labels?: Record<string, string>;
}

const ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Connection details of a data service, published as one Kubernetes Secret so pods can take them with
 * `envFrom`. Host and port go into the same Secret as the credentials (never a ConfigMap), so one object
 * carries everything a client needs and nothing readable by `get configmap` leaks a credential.
 */
export class ConnectionSecret extends pulumi.ComponentResource {
  public readonly secretName: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  /** The key names (not secret), in the order given. */
  public readonly keys: string[];
  /** The stored values, as one Pulumi secret. */
  public readonly stringData: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ConnectionSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!K8S_NAME.test(args.secretName)) rejectArg("ConnectionSecret", "secretName", args.secretName, "must be a Kubernetes name (lowercase letters, digits and '-', at most 63 characters)");
    const keys = Object.keys(args.data);
    if (keys.length === 0) rejectArg("ConnectionSecret", "data", {}, "must hold at least one key");
    const badKey = keys.find((key) => !ENV_KEY.test(key));
    if (badKey !== undefined) rejectArg("ConnectionSecret", "data", badKey, "keys must be environment variable names (A-Z, 0-9, '_'), so envFrom can load them");
    super("runbook:data:ConnectionSecret", name, {}, opts);

    const stringData = pulumi.secret(pulumi.output(args.data)) as pulumi.Output<Record<string, string>>;
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: {
          name: args.secretName,
          namespace: args.namespace,
          labels: { ...(args.labels ?? {}), "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" },
          // The key names are not secret; listing them lets a reviewer (and the policy pack) see what the Secret offers.
          annotations: { "runbook.dev/connection-keys": keys.join(",") },
        },
        type: "Opaque",
        // Whole map secret: the plan, the state and any diff show "[secret]" instead of a password.
        stringData,
      },
      { parent: this },
    );

    this.secretName = secret.metadata.name;
    this.namespace = secret.metadata.namespace;
    this.keys = keys;
    this.stringData = stringData;
    this.registerOutputs({ secretName: this.secretName, namespace: this.namespace, keys: this.keys });
  }
}
