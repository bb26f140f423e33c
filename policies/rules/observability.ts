/**
 * Observability rules: an alert must be able to fire. An alert on a series nothing scrapes evaluates to
 * an empty result forever — the failure issue 17 found (DatabaseDown and RedisDown read exporters nothing
 * deployed). This rule checks the producers the library deploys itself; the application's own metrics and
 * kube-prometheus-stack's are outside what a plan can show.
 */
import { alertsWithoutLibraryProducer, producerOf } from "../../monitoring/producers";
import { ofType, stackRule } from "./common";

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

export const observabilityPolicies = [
  stackRule({
    name: "prometheus-alert-has-producer",
    description:
      "Every alert on an exporter's series has that exporter in the stack, configured for the series: postgres_exporter for pg_*, redis_exporter for redis_*, the CloudWatch exporter for aws_rds_*/aws_elasticache_*/aws_kafka_* (with that metric and statistic in its config), Fluent Bit's ServiceMonitor for fluentbit_*; otherwise the alert can never fire (runbooks 001/002 DatabaseDown, RedisDown; Prometheus alerting on absent series).",
    grade: "graded",
    remediation: "Keep runbook-infra:observability.exporters (or logShipping) enabled so the exporter is deployed, or switch the alert off with monitoring.alerts.<Name>.enabled: false.",
    check: (resources) => {
      const missing = alertsWithoutLibraryProducer(resources.map((r) => ({ type: r.type, props: r.props as Record<string, unknown> })));
      const rule = ofType(resources, RULE)[0];
      return missing.map((m) => ({
        urn: ofType(resources, RULE).find((r) => JSON.stringify(r.props).includes(`"alert":"${m.alert}"`))?.urn ?? rule?.urn,
        message: `alert ${m.alert} reads ${m.metric}, which ${producerOf(m.metric)?.what ?? "nothing"} would produce, and the stack does not deploy it`,
      }));
    },
  }),
];
