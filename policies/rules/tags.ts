/**
 * AWS tag rules on every resource of the plan (core/tags.ts): at most 50 tags per resource, counting a
 * provider's `defaultTags` with the resource's own; keys and values of AWS's lengths and characters,
 * no `aws:` prefix. The config refuses bad `tags` first; this catches a component that adds too many
 * or a value built from something else. AWS would refuse such a resource only at apply time, after part
 * of the stack was created.
 */
import { stackRule } from "./common";
import { awsTagKeyProblem, MAX_TAGS_PER_RESOURCE, tagValueProblem } from "../../core/tags";
import { escapeText } from "../../core/text";

function tagMap(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export const tagPolicies = [
  stackRule({
    name: "aws-tags-valid",
    description: `Every AWS resource carries at most ${MAX_TAGS_PER_RESOURCE} tags (its own plus its provider's defaultTags), each key and value within AWS's lengths and characters, none starting with aws: (runbook-infra issue 16: AWS tagging limits).`,
    grade: "mandatory",
    remediation: "Remove tags from runbook-infra:tags, or stop the component adding them; keep keys ≤ 128 and values ≤ 256 characters of letters, digits, spaces and _ . : / = + - @.",
    check: (resources) => {
      const defaultTags = new Map<string, Record<string, unknown>>();
      for (const r of resources) {
        if (!r.type.startsWith("pulumi:providers:aws")) continue;
        const tags = tagMap((r.props as Record<string, any>)?.defaultTags?.tags);
        if (tags) defaultTags.set(r.urn, tags);
      }
      const findings = [];
      for (const r of resources) {
        if (!r.type.startsWith("aws:")) continue;
        const own = tagMap((r.props as Record<string, unknown>).tags);
        const fromProvider = r.provider?.urn ? defaultTags.get(r.provider.urn) : undefined;
        if (!own && !fromProvider) continue;
        const all = { ...(fromProvider ?? {}), ...(own ?? {}) };
        const keys = Object.keys(all);
        if (keys.length > MAX_TAGS_PER_RESOURCE) findings.push({ urn: r.urn, message: `${r.name} carries ${keys.length} tags (with its provider's defaultTags); AWS allows ${MAX_TAGS_PER_RESOURCE}` });
        for (const key of keys) {
          const keyProblem = awsTagKeyProblem(key);
          if (keyProblem) findings.push({ urn: r.urn, message: `${r.name}: tag key ${JSON.stringify(escapeText(key, 60))} ${keyProblem}` });
          const value = all[key];
          // Unknown values (an Output not resolved in the plan) and secrets are not judged here.
          if (typeof value === "string" && value !== "[secret]") {
            const valueProblem = tagValueProblem(value);
            if (valueProblem) findings.push({ urn: r.urn, message: `${r.name}: tag ${JSON.stringify(escapeText(key, 60))} value ${valueProblem}` });
          }
        }
      }
      return findings;
    },
  }),
];
