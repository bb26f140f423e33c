/**
 * The library's barrel: every component and its Args/outputs types. Importing it registers no resource;
 * each component is also its own entry (`runbook-infra/<file>`), so a program loads only what it uses.
 */
export * from "./alert-rules";
export * from "./alertmanager-config";
export * from "./api-load-balancer";
export * from "./app-namespace";
export * from "./backup-bucket";
export * from "./cloudwatch-exporter";
export * from "./cert-manager";
export * from "./cluster-autoscaling";
export * from "./connection-secret";
export * from "./database-maintenance";
export * from "./dr-namespace";
export * from "./eks-cluster";
export * from "./failover-dns";
export * from "./grafana-dashboards";
export * from "./irsa-role";
export * from "./k8s-config-backup";
export * from "./kms-key-policy";
export * from "./load-balancer-controller";
export * from "./monitoring-stack";
export * from "./network";
export * from "./postgres-backup-jobs";
export * from "./postgres-database";
export * from "./postgres-exporter";
export * from "./recovery-objectives";
export * from "./redis-cache";
export * from "./redis-exporter";
export * from "./service-scaling";
export * from "./slo-rules";
export * from "./postgres-read-replica";
export * from "./kafka-cluster";
export * from "./cloudwatch-exporter";
export * from "./namespace-operator-role";
export * from "./cost-budget";
export * from "./cost-alerts";
export * from "./standby-database";
