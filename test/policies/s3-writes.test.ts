/**
 * The guard against S3 deny statements that break multipart uploads (issue 14 item 8): which condition
 * shapes hold for a request without the header (UploadPart) and which spare it.
 */
import { multipartBreakingConditions } from "../../policies/rules/s3-writes";

const KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";
const SSE = "s3:x-amz-server-side-encryption";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/backups";
const deny = (over: Record<string, unknown>) => ({ Sid: "S", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/secrets/*", ...over });

describe("multipartBreakingConditions", () => {
  it.each([
    ["StringNotEquals on the KMS key id", deny({ Condition: { StringNotEquals: { [KEY_ID]: KEY } } }), [`StringNotEquals ${KEY_ID}`]],
    ["StringNotEqualsIfExists alone (true for a missing key too)", deny({ Condition: { StringNotEqualsIfExists: { [KEY_ID]: KEY } } }), [`StringNotEqualsIfExists ${KEY_ID}`]],
    ["Null true on the SSE header", deny({ Condition: { Null: { [SSE]: "true" } } }), [`Null ${SSE}`]],
    ["s3:* with StringNotEquals on the SSE header", deny({ Action: "s3:*", Condition: { StringNotEquals: { [SSE]: "aws:kms" } } }), [`StringNotEquals ${SSE}`]],
    ["s3:Put* wildcard on the storage class", deny({ Action: ["s3:Put*"], Condition: { StringNotEquals: { "s3:x-amz-storage-class": "STANDARD" } } }), ["StringNotEquals s3:x-amz-storage-class"]],
    ["NotAction that leaves PutObject in", deny({ Action: undefined, NotAction: "s3:GetObject", Condition: { StringNotEquals: { [SSE]: "aws:kms" } } }), [`StringNotEquals ${SSE}`]],
    ["a header condition next to a transport condition", deny({ Condition: { StringNotEquals: { [SSE]: "aws:kms" }, Bool: { "aws:SecureTransport": "true" } } }), [`StringNotEquals ${SSE}`]],
  ])("refuses %s", (_what, statement, expected) => {
    expect(multipartBreakingConditions(statement)).toEqual(expected);
  });

  it.each([
    ["IfExists with Null false (judges only requests that send the header)", deny({ Condition: { StringNotEqualsIfExists: { [KEY_ID]: KEY }, Null: { [KEY_ID]: "false" } } })],
    ["a positive operator (false for a missing key)", deny({ Condition: { StringEquals: { [SSE]: "AES256" } } })],
    ["ForAnyValue on request tags", deny({ Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["forbidden"] } } })],
    ["an Allow", { ...deny({ Condition: { StringNotEquals: { [SSE]: "aws:kms" } } }), Effect: "Allow" }],
    ["a Deny on reads only", deny({ Action: "s3:GetObject", Condition: { StringNotEquals: { [SSE]: "aws:kms" } } })],
    ["a Deny with no header condition (TLS only)", deny({ Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } })],
    ["NotAction that excludes PutObject", deny({ Action: undefined, NotAction: "s3:Put*", Condition: { StringNotEquals: { [SSE]: "aws:kms" } } })],
  ])("accepts %s", (_what, statement) => {
    expect(multipartBreakingConditions(statement)).toEqual([]);
  });
});
