/**
 * `runbook-infra:tags`: tags put on every AWS resource besides the stack's own. Checked against AWS's
 * tag rules (core/tags.ts) here, before any resource exists: AWS itself would refuse them only at
 * apply time, resource by resource, after part of the stack was created.
 */
import { z } from "zod";
import { MAX_USER_TAGS, STACK_TAG_KEYS, TAGS_ADDED_PER_RESOURCE, MAX_TAGS_PER_RESOURCE, tagKeyProblem, tagValueProblem } from "../../core/tags";
import type { Refinement } from "./refinement";

export const tagsSchema = z.record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" }));

export const refineTags: Refinement = (config, report) => {
  const tags = config.tags;
  const keys = Object.keys(tags);
  if (keys.length > MAX_USER_TAGS)
    report(["tags"], `(${keys.length} tags)`, `must hold at most ${MAX_USER_TAGS} tags: AWS allows ${MAX_TAGS_PER_RESOURCE} per resource and the stack adds up to ${TAGS_ADDED_PER_RESOURCE} (${STACK_TAG_KEYS.join(", ")}, Name, ...)`);
  for (const key of keys) {
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) report(["tags", key], key, `tag key ${keyProblem}`);
    const valueProblem = tagValueProblem(tags[key]);
    if (valueProblem) report(["tags", key], tags[key], valueProblem);
  }
};
