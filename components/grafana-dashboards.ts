import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { DASHBOARDS, DASHBOARD_IDS, DashboardId, dashboardJson, dashboardQueries } from "../monitoring/dashboards";
import { promqlProblem } from "../monitoring/promql";
import { LIBRARY_LABELS } from "../core/labels";

export interface GrafanaDashboardsArgs {
  /** Namespace the Grafana sidecar searches for dashboard ConfigMaps. No default. */
  namespace: string;
  /** Dashboards to provision. @default ["system-overview", "application-performance", "infrastructure"] */
  dashboards?: DashboardId[];
  /** Grafana folder (sidecar annotation `grafana_folder`). @default "Runbooks" */
  folder?: string;
}

/**
 * The runbooks' dashboards as ConfigMaps labelled `grafana_dashboard: "1"`, which Grafana's sidecar
 * (kube-prometheus-stack's default) loads. Every panel query is PromQL-checked before registration.
 */
export class GrafanaDashboards extends pulumi.ComponentResource {
  public readonly configMapNames: pulumi.Output<string>[];

  constructor(name: string, args: GrafanaDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "GrafanaDashboards";
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    const ids = args.dashboards ?? ["system-overview", "application-performance", "infrastructure"];
    for (const id of ids) if (!(DASHBOARD_IDS as readonly string[]).includes(id)) rejectArg(C, "dashboards", id, `must be one of ${DASHBOARD_IDS.join(", ")}`);
    if (new Set(ids).size !== ids.length) rejectArg(C, "dashboards", ids, "must not list a dashboard twice");
    for (const id of ids) {
      for (const { panel, expr } of dashboardQueries(DASHBOARDS[id])) {
        const problem = promqlProblem(expr);
        if (problem) rejectArg(C, `dashboards[${id}].${panel}`, expr, problem);
      }
    }
    super("runbook:monitoring:GrafanaDashboards", name, {}, opts);

    this.configMapNames = ids.map((id) => {
      const map = new k8s.core.v1.ConfigMap(
        `${name}-${id}`,
        {
          metadata: {
            name: `dashboard-${id}`,
            namespace: args.namespace,
            labels: { ...LIBRARY_LABELS, "app.kubernetes.io/component": "dashboards", grafana_dashboard: "1" },
            annotations: { grafana_folder: args.folder ?? "Runbooks" },
          },
          data: { [`${id}.json`]: JSON.stringify(dashboardJson(DASHBOARDS[id]), null, 2) },
        },
        { parent: this },
      );
      return map.metadata.name;
    });
    this.registerOutputs({ configMapNames: this.configMapNames });
  }
}
