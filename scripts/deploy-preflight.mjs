// Runs on the deploy runner before `pulumi up`: can this machine reach the stack's EKS API endpoint?
// The stack file declares the deploy path (runbook-infra:cluster.deployPath); a runner off that path
// would make every Kubernetes resource time out after the AWS half of the update has applied. A TCP
// connect to the endpoint's port 443 answers the question in seconds. On the first deploy the cluster
// does not exist yet, and the check only says so.
//   node scripts/deploy-preflight.mjs <stack> [--stack-file Pulumi.<stack>.yaml]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { parse } from "yaml";

const stack = process.argv[2];
if (!stack) {
  console.error("usage: node scripts/deploy-preflight.mjs <stack> [--stack-file <file>]");
  process.exit(2);
}
const fileArg = process.argv.indexOf("--stack-file");
const file = fileArg > 0 ? process.argv[fileArg + 1] : `Pulumi.${stack}.yaml`;
const config = parse(readFileSync(file, "utf8"))?.config ?? {};
const system = config["runbook-infra:system"] ?? config["runbook-infra:tags"]?.system ?? "runbook-infra";
const clusterName = `${system}-${stack}`;
const path = config["runbook-infra:cluster"]?.deployPath;
console.log(`deploy path of ${stack}: ${path ? `${path.mode} from ${path.runnerCidrs.join(", ")}` : "none declared"}`);

let endpoint;
try {
  endpoint = execFileSync("aws", ["eks", "describe-cluster", "--name", clusterName, "--query", "cluster.endpoint", "--output", "text"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
} catch (error) {
  if (/ResourceNotFoundException/.test(String(error.stderr ?? ""))) {
    console.log(`::notice::cluster ${clusterName} does not exist yet; this pulumi up creates it (its access entries and deploy-path rule first, then the Kubernetes resources)`);
    process.exit(0);
  }
  console.error(`::error::aws eks describe-cluster ${clusterName} failed: ${String(error.stderr ?? error.message).trim()}`);
  process.exit(1);
}

const url = new URL(endpoint);
const host = url.hostname;
const port = Number(url.port || 443);
const reachable = await new Promise((resolve) => {
  const socket = connect({ host, port, timeout: 10_000 }, () => {
    socket.destroy();
    resolve(true);
  });
  socket.on("timeout", () => {
    socket.destroy();
    resolve(false);
  });
  socket.on("error", () => resolve(false));
});
if (!reachable) {
  console.error(`::error::this runner cannot reach ${host}:${port} (cluster ${clusterName}). Run the job on the runners of cluster.deployPath (${path ? path.runnerCidrs.join(", ") : "none declared"}), or fix the route between them and the VPC.`);
  process.exit(1);
}
console.log(`${host}:${port} is reachable from this runner`);
