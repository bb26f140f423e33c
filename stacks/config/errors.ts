/** The error shape lives in the shared core layer; re-exported for the config schema. */
export * from "../../core/errors";
