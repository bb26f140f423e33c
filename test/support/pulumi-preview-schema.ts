import { z } from "zod";

/**
 * The fields of `pulumi preview --json` that we emit, with the names and types of the CLI's Go structs
 * (pkg/backend/display/json.go previewDigest/previewStep/propertyDiff, sdk apitype.ResourceV3). Strict:
 * a field the CLI does not have fails the test.
 */
const resourceV3 = z
  .object({
    urn: z.string().regex(/^urn:pulumi:[^:]+::[^:]+::/),
    custom: z.boolean(),
    type: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    parent: z.string().optional(),
    dependencies: z.array(z.string()).optional(),
    provider: z.string().optional(),
  })
  .strict();
const op = z.enum(["same", "create", "update", "delete", "replace", "create-replacement", "delete-replaced", "read", "read-replacement", "refresh", "discard", "discard-replaced", "remove-pending-replace", "import", "import-replacement"]);
export const previewStepSchema = z
  .object({
    op,
    urn: z.string(),
    provider: z.string().optional(),
    oldState: resourceV3.optional(),
    newState: resourceV3.optional(),
    diffReasons: z.array(z.string()).optional(),
    replaceReasons: z.array(z.string()).optional(),
    detailedDiff: z.record(z.string(), z.object({ kind: z.enum(["add", "add-replace", "delete", "delete-replace", "update", "update-replace"]), inputDiff: z.boolean() }).strict()).optional(),
  })
  .strict();
export const previewDigestFields = z.object({ steps: z.array(previewStepSchema), changeSummary: z.partialRecord(op, z.number().int().nonnegative()) });

