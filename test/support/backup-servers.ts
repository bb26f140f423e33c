/**
 * Real servers for the backup/restore test: a throwaway PostgreSQL cluster from the Debian package on
 * loopback and s3rver (S3 API) on loopback, plus a child-process runner. Everything runs as child
 * processes: the AWS CLI calls s3rver while the test waits, so s3rver must not share the test's event loop.
 */
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The newest Debian PostgreSQL bin directory with initdb, pg_ctl, pg_dump and pg_restore, or undefined. */
export function findPostgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(base, version, "bin");
    if (["initdb", "pg_ctl", "pg_dump", "pg_restore", "psql"].every((tool) => fs.existsSync(path.join(bin, tool)))) return bin;
  }
  return undefined;
}

/** The Debian AWS CLI v2 (a pyenv shim named `aws` may shadow it on PATH). */
export const DEBIAN_AWS_CLI = "/usr/bin/aws";

export interface PostgresServer {
  bin: string;
  port: number;
  dir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * initdb + pg_ctl start on 127.0.0.1:<free port>, socket in a private directory, trust auth. As root,
 * the server runs as the `postgres` user (initdb refuses root).
 */
export async function startPostgres(bin: string, baseDir: string): Promise<PostgresServer> {
  const dir = path.join(baseDir, "pg");
  const data = path.join(dir, "data");
  const sock = path.join(dir, "sock");
  fs.mkdirSync(sock, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const asPostgres = (tool: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], { timeoutMs: 30000 }) : run(path.join(bin, tool), args, { timeoutMs: 30000 }));
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    fs.chmodSync(baseDir, 0o755);
    for (const p of [dir, sock]) fs.chownSync(p, uid, gid);
  }
  const init = await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const start = await asPostgres("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "20", "-o", `-k ${sock} -p ${port} -h 127.0.0.1 -c fsync=off -c full_page_writes=off`, "start"]);
  if (start.code !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}\n${fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : ""}`);
  const env = { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "postgres", PGSSLMODE: "disable", PGCONNECT_TIMEOUT: "5" };
  return {
    bin,
    port,
    dir,
    env,
    async stop() {
      await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
  };
}

export interface S3Server {
  endpoint: string;
  /** s3rver's storage directory; `storedKeys` reads it. */
  directory: string;
  stop(): Promise<void>;
}

/** Keys s3rver holds in `bucket`, read from its filesystem store (`<dir>/<bucket>/<key>._S3rver_object`). */
export function storedKeys(server: S3Server, bucket: string): string[] {
  const root = path.join(server.directory, bucket);
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith("._S3rver_object")) keys.push(path.relative(root, full).slice(0, -"._S3rver_object".length).split(path.sep).join("/"));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return keys.sort();
}

/** s3rver from node_modules on 127.0.0.1:<any port>, with `buckets` created at start. */
export async function startS3rver(baseDir: string, buckets: string[]): Promise<S3Server> {
  const dir = path.join(baseDir, "s3");
  fs.mkdirSync(dir, { recursive: true });
  const bin = require.resolve("s3rver/bin/s3rver.js");
  const args = [bin, "-d", dir, "-a", "127.0.0.1", "-p", "0", "--silent", ...buckets.flatMap((b) => ["--configure-bucket", b])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 15000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /listening on (127\.0\.0\.1):(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(`http://${match[1]}:${match[2]}`);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  return {
    endpoint,
    directory: dir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** One request the fault proxy saw. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/backups/postgresql/daily/x.dump.gz?uploadId=...`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The status the proxy answered itself (a fault or a refusal), or undefined when s3rver answered. */
  injected?: number;
}

/** A fault the proxy injects: requests matching `method` and `pathIncludes` get `status` while `times` > 0. */
export interface ProxyFault {
  method?: string;
  pathIncludes: string;
  /** How many matching requests fail; Infinity for an outage. */
  times: number;
  status?: number;
}

export interface FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  faults: ProxyFault[];
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of s3rver that fails chosen requests (an S3 outage half-way through a backup
 * set) and, like a bucket with Object Lock default retention, refuses object writes with a body that
 * carry neither Content-MD5 nor an x-amz-checksum-* value (s3rver itself accepts them).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const faults: ProxyFault[] = [];
  const s3Error = (res: http.ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  };
  const server = http.createServer((req, res) => {
    const seen: ProxiedRequest = { method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers } };
    requests.push(seen);
    const fault = faults.find((f) => f.times > 0 && (!f.method || f.method === req.method) && (req.url ?? "").includes(f.pathIncludes));
    if (fault) {
      fault.times -= 1;
      seen.injected = fault.status ?? 503;
      req.resume();
      return s3Error(res, seen.injected, "ServiceUnavailable", "injected by the test's fault proxy");
    }
    const h = req.headers;
    const writesBody = req.method === "PUT" && !h["x-amz-copy-source"] && Number(h["content-length"] ?? h["x-amz-decoded-content-length"] ?? 0) > 0;
    const hasChecksum = !!h["content-md5"] || Object.keys(h).some((k) => k.startsWith("x-amz-checksum-")) || /x-amz-checksum-/.test(String(h["x-amz-trailer"] ?? ""));
    if (writesBody && !hasChecksum) {
      seen.injected = 400;
      req.resume();
      return s3Error(res, 400, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on("error", () => s3Error(res, 502, "BadGateway", "s3rver unreachable"));
    req.pipe(forward);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
