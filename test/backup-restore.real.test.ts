/**
 * The backup is proven by restoring it: the scripts the CronJobs run (scripts/backup/*.sh) are run for
 * real against a PostgreSQL server (Debian package) and an S3 API (s3rver) on loopback, through the
 * Debian AWS CLI v2. Between the CLI and s3rver sits a fault proxy: it fails chosen requests (S3 failing
 * half-way through a backup set) and, like a bucket with Object Lock default retention, refuses writes
 * without a checksum header. Skips when the tools are missing, except under CI=true where that is a
 * failure. Every AWS CLI start costs ~1–2 s here, so S3 round trips are counted: test setup writes
 * objects with plain HTTP and reads s3rver's store directly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { DEBIAN_AWS_CLI, FaultProxy, PostgresServer, RunResult, S3Server, findPostgresBin, makeTempDir, run, startFaultProxy, startPostgres, startS3rver, storedKeys } from "./support/backup-servers";

const ROOT = path.join(__dirname, "..");
const SCRIPTS = path.join(ROOT, "scripts", "backup");
const BUCKET = "backups";
const DB = "stock_analysis";

const pgBin = findPostgresBin();
const missing = [...(pgBin ? [] : ["PostgreSQL server binaries (apt-get install postgresql)"]), ...(fs.existsSync(DEBIAN_AWS_CLI) ? [] : [`${DEBIAN_AWS_CLI} (apt-get install awscli)`])];
const underCi = process.env.CI === "true";
const suite = missing.length && !underCi ? describe.skip : describe;
if (missing.length && !underCi) console.warn(`backup-restore.real.test: skipped, missing ${missing.join(", ")}`);

// Each AWS CLI start is ~0.5 s of CPU; on a loaded 2-core runner one can take several seconds, so a test
// with four S3 calls gets room rather than flaking (the file takes ~20 s of CPU in all).
jest.setTimeout(180000);

suite("backup and restore for real (PostgreSQL + S3 API on loopback, AWS CLI v2)", () => {
  let base = "";
  let pg: PostgresServer | undefined;
  let s3: S3Server | undefined;
  let env: NodeJS.ProcessEnv = {};

  const sql = async (database: string, query: string): Promise<string> => {
    const r = await run(path.join(pgBin!, "psql"), ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", query], { env });
    if (r.code !== 0) throw new Error(`psql failed (${query}): ${r.stderr}`);
    return r.stdout.trim();
  };
  const script = (name: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
    run("bash", [path.join(SCRIPTS, name), ...args], { env: { ...env, ...extraEnv }, timeoutMs: 90000 });
  /** Objects in the bucket, from s3rver's store (one AWS CLI start costs seconds on a loaded machine; the restores list through the CLI). */
  const keys = async (): Promise<string[]> => storedKeys(s3!, BUCKET);
  /** Per-table row count and an order-independent digest of every row. */
  const fingerprint = async (database: string): Promise<Record<string, string>> => {
    const tables = (await sql(database, "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1")).split("\n");
    const out: Record<string, string> = {};
    for (const table of tables) out[table] = await sql(database, `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ${table} t`);
    return out;
  };
  /** A pg_dump stand-in that lets the real pg_dump finish, then damages its output as a flaky disk or a cut stream would. */
  const damagingPgDump = (mode: "truncate" | "corrupt"): string => {
    const file = path.join(base, `pg_dump-${mode}`);
    fs.writeFileSync(
      file,
      `#!/usr/bin/env bash
set -euo pipefail
out=""
for arg in "$@"; do case "$arg" in --file=*) out="\${arg#--file=}" ;; esac; done
"${path.join(pgBin!, "pg_dump")}" "$@"
size=$(stat -c %s "$out")
${mode === "truncate" ? 'truncate -s $((size / 2)) "$out"' : 'printf "%064d" 0 | dd of="$out" bs=1 seek=$((size / 2)) conv=notrunc status=none'}
`,
      { mode: 0o755 },
    );
    return file;
  };

  let proxy: FaultProxy | undefined;
  let firstSnapshot: Record<string, string> = {};

  /** Lines a script printed as its own `<script>: ERROR: <step>: ...` verdict. */
  const errorLines = (r: RunResult, name: string): string[] => r.stderr.split("\n").filter((line) => line.includes(`${name}: ERROR: `));
  const dbExists = async (name: string) => (await sql("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${name}'`)) === "1";
  const storedFile = (key: string) => path.join(s3!.directory, BUCKET, `${key}._S3rver_object`);
  const storedSha = (key: string): string | undefined => JSON.parse(fs.readFileSync(path.join(s3!.directory, BUCKET, `${key}._S3rver_metadata.json`), "utf8"))["x-amz-meta-sha256"];
  const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
  /** Test setup writes straight to s3rver over HTTP (no CLI start), with the checksum metadata the backup would set. */
  const putObject = async (key: string, body: Buffer, sha: string) => {
    const res = await fetch(`${s3!.endpoint}/${BUCKET}/${key}`, { method: "PUT", body, headers: { "x-amz-meta-sha256": sha, "content-type": "application/octet-stream" } });
    if (!res.ok) throw new Error(`setup PUT ${key}: ${res.status} ${await res.text()}`);
  };
  /** A restore work dir as the download container leaves it: the archive and the manifest with the expected checksum. */
  const downloaded = (dir: string, archive: Buffer, key: string, sha: string) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "restore.dump.gz"), archive);
    fs.writeFileSync(path.join(dir, "restore.manifest"), `key=${key}\nsha256=${sha}\n`);
    return dir;
  };

  beforeAll(async () => {
    if (missing.length) throw new Error(`CI=true and the real backup test cannot run: missing ${missing.join(", ")}`);
    base = makeTempDir("backup-real-");
    [pg, s3] = await Promise.all([startPostgres(pgBin!, base), startS3rver(base, [BUCKET])]);
    proxy = await startFaultProxy(s3.endpoint);
    env = {
      PATH: `${pgBin}:${process.env.PATH}`,
      HOME: base,
      ...pg.env,
      PGDATABASE: DB,
      BACKUP_BUCKET: BUCKET,
      // As in the CronJob's upload container: uploads ask for SSE-KMS with the backup key.
      BACKUP_KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/offline",
      BACKUP_RETRY_DELAY_SECONDS: "0",
      AWS_CLI: DEBIAN_AWS_CLI,
      AWS_ENDPOINT_URL: proxy.endpoint,
      // The CLI's own retries would hide an injected fault; the scripts' retries are under test.
      AWS_MAX_ATTEMPTS: "1",
      AWS_RETRY_MODE: "standard",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: path.join(base, "aws-config-none"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(base, "aws-credentials-none"),
      AWS_PAGER: "",
    };
    await sql("postgres", `CREATE DATABASE ${DB}`);
    // The runbook's system: tickers, a price history big enough that half a dump is mid-data, JSON, a view, a second schema.
    await sql(
      DB,
      `CREATE TABLE stocks (id serial PRIMARY KEY, symbol text UNIQUE NOT NULL, name text NOT NULL, listed date NOT NULL);
       INSERT INTO stocks (symbol, name, listed) SELECT 'SYM' || g, 'Company ' || md5(g::text), date '2000-01-01' + g FROM generate_series(1, 500) g;
       CREATE TABLE prices (stock_id int REFERENCES stocks(id), at timestamptz NOT NULL, close numeric(12,4) NOT NULL, meta jsonb, PRIMARY KEY (stock_id, at));
       INSERT INTO prices SELECT 1 + (g % 500), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', round((g * 1.37) % 1000, 4), jsonb_build_object('src', 'feed', 'n', g) FROM generate_series(1, 20000) g;
       CREATE VIEW latest_close AS SELECT DISTINCT ON (stock_id) stock_id, close FROM prices ORDER BY stock_id, at DESC;
       CREATE SCHEMA analytics;
       CREATE TABLE analytics.reports (id bigserial PRIMARY KEY, body text);
       INSERT INTO analytics.reports (body) SELECT repeat('x', g % 50) FROM generate_series(1, 300) g;`,
    );
    firstSnapshot = await fingerprint(DB);
  }, 60000);

  afterAll(async () => {
    await Promise.allSettled([pg?.stop(), s3?.stop(), proxy?.stop()]);
    if (base) fs.rmSync(base, { recursive: true, force: true });
  }, 30000);

  it("uploads Sunday the 1st's dump once and copies it server-side to weekly/ and monthly/, retrying a copy S3 fails", async () => {
    proxy!.faults.push({ method: "PUT", pathIncludes: "/postgresql/weekly/", times: 1, status: 503 });
    const mark = proxy!.requests.length;
    const r = await script("pg-backup.sh", ["--tier", "daily"], { BACKUP_NOW: "2026-11-01T02:00:00Z", BACKUP_RETRIES: "3" });
    expect(r.stderr).toMatch(/verified \d+ archive entries/);
    expect(r.stderr).toMatch(/copy-weekly: attempt 1 of 3 failed/);
    expect(errorLines(r, "pg-backup")).toEqual([]);
    expect(r.code).toBe(0);
    const set = ["postgresql/daily/stock_analysis_20261101T020000Z.dump.gz", "postgresql/monthly/stock_analysis_20261101T020000Z.dump.gz", "postgresql/weekly/stock_analysis_20261101T020000Z.dump.gz"];
    expect(await keys()).toEqual(set);

    const puts = proxy!.requests.slice(mark).filter((q) => q.method === "PUT");
    const uploads = puts.filter((q) => !q.headers["x-amz-copy-source"]);
    const copies = puts.filter((q) => q.headers["x-amz-copy-source"]);
    // The bytes cross the network once; weekly (one injected failure, then success) and monthly are server-side copies.
    expect(uploads.map((q) => q.url)).toEqual([`/${BUCKET}/${set[0]}`]);
    expect(copies.map((q) => [q.url, q.injected])).toEqual([[`/${BUCKET}/${set[2]}`, 503], [`/${BUCKET}/${set[2]}`, undefined], [`/${BUCKET}/${set[1]}`, undefined]]);
    expect(new Set(copies.map((q) => q.headers["x-amz-copy-source"]))).toEqual(new Set([`${BUCKET}/${set[0]}`]));
    // Object Lock default retention: the proxy refuses writes without Content-MD5/x-amz-checksum-*; none was refused.
    expect(puts.filter((q) => q.injected === 400)).toEqual([]);
    // Each copy carries the checksum of the bytes, which the restore verifies.
    const sha = sha256(fs.readFileSync(storedFile(set[0])));
    expect(set.map(storedSha)).toEqual([sha, sha, sha]);
  });

  it("uploads a Tuesday's daily dump under daily/ only; an hourly dump on a Sunday is destined for hourly/ only", async () => {
    await sql(DB, "INSERT INTO stocks (symbol, name, listed) VALUES ('NEW', 'Listed after Sunday', date '2026-11-02'); DELETE FROM analytics.reports WHERE id <= 10;");
    const daily = await script("pg-backup.sh", [], { BACKUP_NOW: "2026-11-03T02:00:00Z" });
    expect(daily.code).toBe(0);
    expect((await keys()).filter((k) => k.includes("20261103"))).toEqual(["postgresql/daily/stock_analysis_20261103T020000Z.dump.gz"]);
    // A Sunday, but hourly dumps are not the weekly copy (the upload follows the manifest, as the first test shows).
    const work = path.join(base, "hourly");
    const hourly = await script("pg-backup.sh", ["--tier", "hourly", "--phase", "dump", "--work-dir", work], { BACKUP_NOW: "2026-11-08T10:00:00Z" });
    expect(hourly.code).toBe(0);
    expect(fs.readFileSync(path.join(work, "backup.manifest"), "utf8")).toBe("name=stock_analysis_20261108T100000Z.dump.gz\ncopies=hourly\n");
  });

  it("restores the newest daily dump into a fresh database with identical rows and reports the counts", async () => {
    const source = await fingerprint(DB);
    expect(source).not.toEqual(firstSnapshot);
    const r = await script("pg-restore.sh", ["--target-database", "restored_daily"]);
    expect(r.stderr).toMatch(/downloading s3:\/\/backups\/postgresql\/daily\/stock_analysis_20261103T020000Z\.dump\.gz/);
    expect(r.stderr).toMatch(/checksum of postgresql\/daily\/stock_analysis_20261103T020000Z\.dump\.gz matches/);
    expect(r.code).toBe(0);
    expect(await fingerprint("restored_daily")).toEqual(source);
    expect(r.stdout).toContain("public.stocks\t501");
    expect(r.stdout).toContain("public.prices\t20000");
    expect(r.stdout).toContain("analytics.reports\t290");
    // Not only tables: views, sequences and constraints come back too.
    expect(await sql("restored_daily", "SELECT count(*) FROM latest_close")).toBe("500");
    expect(await sql("restored_daily", "SELECT nextval('stocks_id_seq')")).toBe("502");
    expect(await sql("restored_daily", "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).toBe("1");
  });

  it("restores the weekly copy by key: it is the Sunday dump, without Tuesday's changes", async () => {
    const r = await script("pg-restore.sh", ["--target-database", "restored_weekly"], { RESTORE_KEY: "postgresql/weekly/stock_analysis_20261101T020000Z.dump.gz" });
    expect(r.code).toBe(0);
    expect(await fingerprint("restored_weekly")).toEqual(firstSnapshot);
  });

  it("restores into a new database only: never over the live one or an existing one", async () => {
    const live = await script("pg-restore.sh", ["--target-database", DB]);
    expect(live.code).not.toBe(0);
    expect(errorLines(live, "pg-restore")).toEqual([expect.stringMatching(/ERROR: target: refusing to restore over the live database/)]);
    const existing = await script("pg-restore.sh", ["--target-database", "restored_daily"]);
    expect(existing.code).not.toBe(0);
    expect(errorLines(existing, "pg-restore")).toEqual([expect.stringMatching(/ERROR: target: database 'restored_daily' already exists/)]);
  });

  it("ends every failure with one ERROR line naming the step, also when bash itself stops the script", async () => {
    for (const [name, args] of [["pg-backup.sh", ["--tier"]], ["pg-restore.sh", ["--key"]], ["k8s-config-backup.sh", ["--namespaces"]]] as const) {
      const r = await script(name, [...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/needs a value/);
      expect(errorLines(r, name.replace(/\.sh$/, ""))).toEqual([expect.stringMatching(/ERROR: arguments: exited with 1 \(see the message above\)$/)]);
    }
  });

  it.each([["truncated", "truncate"], ["corrupted", "corrupt"]] as const)("fails without uploading when the dump is %s, although pg_restore --list still reads it", async (_state, mode) => {
    const before = await keys();
    const r = await script("pg-backup.sh", [], { PG_DUMP: damagingPgDump(mode), BACKUP_NOW: "2026-11-15T02:00:00Z" });
    expect(r.code).not.toBe(0);
    // The table of contents survives the damage, so only the full read-back catches it.
    expect(errorLines(r, "pg-backup")).toEqual([expect.stringMatching(/ERROR: verify: pg_restore cannot read the dump back in full \(truncated or corrupt\): not uploading/)]);
    expect(await keys()).toEqual(before);
  });

  it("fails without uploading when pg_dump cannot reach the database", async () => {
    const before = await keys();
    const r = await script("pg-backup.sh", [], { PGDATABASE: "no_such_database", BACKUP_NOW: "2026-11-16T02:00:00Z" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no_such_database/);
    expect(errorLines(r, "pg-backup")).toEqual([expect.stringMatching(/ERROR: dump: pg_dump of 'no_such_database' failed/)]);
    expect(await keys()).toEqual(before);
  });

  it("treats an empty database (fresh install, no tables) as a valid backup that restores to an empty database", async () => {
    await sql("postgres", "CREATE DATABASE fresh_install");
    const work = path.join(base, "fresh-install-dump");
    const dump = await script("pg-backup.sh", ["--phase", "dump", "--work-dir", work], { PGDATABASE: "fresh_install", BACKUP_NOW: "2026-11-17T02:00:00Z" });
    expect(dump.stderr).toMatch(/empty but valid backup/);
    expect(errorLines(dump, "pg-backup")).toEqual([]);
    expect(dump.code).toBe(0);
    const name = "fresh_install_20261117T020000Z.dump.gz";
    const archive = fs.readFileSync(path.join(work, name));
    const restoreDir = downloaded(path.join(base, "fresh-install-restore"), archive, `postgresql/daily/${name}`, fs.readFileSync(path.join(work, `${name}.sha256`), "utf8").split(" ")[0]);
    const restore = await script("pg-restore.sh", ["--phase", "restore", "--work-dir", restoreDir, "--target-database", "fresh_restored"], { PGDATABASE: "fresh_install" });
    expect(restore.code).toBe(0);
    expect(await sql("fresh_restored", "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")).toBe("0");
  });

  it("names the dump after the CronJob's scheduled time, so a retried Job re-dumps under the same name", async () => {
    const minutes = Date.UTC(2026, 10, 29, 2, 0, 0) / 60000; // Sunday 2026-11-29 02:00 UTC
    const work = path.join(base, "job-retry");
    const r = await script("pg-backup.sh", ["--phase", "dump", "--work-dir", work], { BACKUP_JOB_NAME: `postgres-backup-daily-${minutes}` });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(work, "backup.manifest"), "utf8")).toBe("name=stock_analysis_20261129T020000Z.dump.gz\ncopies=daily weekly\n");
    // A Job made by hand (`kubectl create job x --from=...` with seconds) is stamped with the current time instead.
    const manual = await script("pg-backup.sh", ["--phase", "dump", "--work-dir", work], { BACKUP_JOB_NAME: "backup-1764460800" });
    expect(manual.code).toBe(0);
    expect(fs.readFileSync(path.join(work, "backup.manifest"), "utf8")).not.toContain("20261129T020000Z");
  });

  it("runs as two containers would; an S3 outage half-way through the set fails with one ERROR line, and rerunning the upload completes the set without sending the dump again", async () => {
    const work = path.join(base, "shared-emptydir");
    const dump = await script("pg-backup.sh", ["--phase", "dump", "--work-dir", work], { BACKUP_NOW: "2026-11-22T02:00:00Z" });
    expect(dump.code).toBe(0);
    const name = "stock_analysis_20261122T020000Z.dump.gz";
    const file = path.join(work, name);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".partial"))).toEqual([]);

    const original = fs.readFileSync(file);
    fs.writeFileSync(file, original.subarray(0, original.length - 100));
    const before = await keys();
    const tampered = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", work]);
    expect(tampered.code).not.toBe(0);
    expect(errorLines(tampered, "pg-backup")).toEqual([expect.stringMatching(/ERROR: upload: checksum mismatch/)]);
    expect(await keys()).toEqual(before);
    fs.writeFileSync(file, original);

    // 2026-11-22 is a Sunday: daily, then the weekly copy, which S3 now refuses every time.
    const outage = { method: "PUT", pathIncludes: "/postgresql/weekly/", times: Infinity, status: 500 };
    proxy!.faults.push(outage);
    const failed = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", work], { BACKUP_RETRIES: "1" });
    expect(failed.code).not.toBe(0);
    expect(errorLines(failed, "pg-backup")).toEqual([expect.stringMatching(/ERROR: copy-weekly: s3:\/\/backups\/postgresql\/weekly\/stock_analysis_20261122T020000Z\.dump\.gz could not be copied .* after 1 attempt\(s\); .*rerun the upload/)]);
    expect((await keys()).filter((k) => k.includes("20261122"))).toEqual([`postgresql/daily/${name}`]);

    outage.times = 0;
    const mark = proxy!.requests.length;
    const resumed = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", work]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/postgresql\/daily\/stock_analysis_20261122T020000Z\.dump\.gz was written by an earlier attempt: kept/);
    expect((await keys()).filter((k) => k.includes("20261122"))).toEqual([`postgresql/daily/${name}`, `postgresql/weekly/${name}`]);
    // The dump was not sent again: the only write is the server-side copy.
    expect(proxy!.requests.slice(mark).filter((q) => q.method === "PUT").map((q) => q.headers["x-amz-copy-source"])).toEqual([`${BUCKET}/postgresql/daily/${name}`]);

    const empty = path.join(base, "empty-emptydir");
    const nothing = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", empty]);
    expect(nothing.code).not.toBe(0);
    expect(errorLines(nothing, "pg-backup")).toEqual([expect.stringMatching(/ERROR: upload: no verified dump/)]);
  });

  it("refuses a dump truncated in S3 (checksum of the truncated bytes intact) before creating the target database", async () => {
    // A dump cut off before it was checksummed: the checksum matches, the archive's table of contents reads, its data does not.
    const good = gunzipSync(fs.readFileSync(storedFile("postgresql/daily/stock_analysis_20261103T020000Z.dump.gz")));
    const truncated = gzipSync(good.subarray(0, Math.floor(good.length / 2)));
    const key = "postgresql/monthly/stock_analysis_20261201T020000Z.dump.gz";
    await putObject(key, truncated, sha256(truncated));
    const r = await script("pg-restore.sh", ["--target-database", "restored_truncated"], { RESTORE_KEY: key });
    expect(r.code).not.toBe(0);
    expect(errorLines(r, "pg-restore")).toEqual([expect.stringMatching(/ERROR: verify: postgresql\/monthly\/stock_analysis_20261201T020000Z\.dump\.gz cannot be read to the end \(truncated or corrupt\); not restoring/)]);
    expect(await dbExists("restored_truncated")).toBe(false);
  });

  it("refuses a dump whose bytes in S3 no longer match the checksum uploaded with it, before creating the target database", async () => {
    const key = "postgresql/monthly/stock_analysis_20261101T020000Z.dump.gz";
    const stored = storedFile(key);
    const bytes = fs.readFileSync(stored);
    bytes.fill(0x55, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64); // bit rot / tampering, same size
    fs.writeFileSync(stored, bytes);
    const r = await script("pg-restore.sh", ["--target-database", "restored_mismatch"], { RESTORE_KEY: key });
    expect(r.code).not.toBe(0);
    expect(errorLines(r, "pg-restore")).toEqual([expect.stringMatching(/ERROR: verify: checksum mismatch for postgresql\/monthly\/stock_analysis_20261101T020000Z\.dump\.gz: the object has sha256 [0-9a-f]{64}, the backup recorded [0-9a-f]{64}; not restoring/)]);
    expect(await dbExists("restored_mismatch")).toBe(false);
  });

  it("drops the new database again when the restore into it fails", async () => {
    const archive = fs.readFileSync(path.join(base, "shared-emptydir", "stock_analysis_20261122T020000Z.dump.gz"));
    const dir = downloaded(path.join(base, "failing-restore"), archive, "postgresql/daily/stock_analysis_20261122T020000Z.dump.gz", sha256(archive));
    // pg_restore as if the connection broke after the data went in: the real one runs, then it fails.
    const failing = path.join(base, "pg_restore-failing");
    fs.writeFileSync(failing, `#!/usr/bin/env bash\ncase "$*" in *--dbname=*) "${path.join(pgBin!, "pg_restore")}" "$@"; echo "pg_restore: error: connection to server lost" >&2; exit 1 ;; esac\nexec "${path.join(pgBin!, "pg_restore")}" "$@"\n`, { mode: 0o755 });
    const r = await script("pg-restore.sh", ["--phase", "restore", "--work-dir", dir, "--target-database", "restored_failing"], { PG_RESTORE: failing });
    expect(r.code).not.toBe(0);
    expect(errorLines(r, "pg-restore")).toEqual([expect.stringMatching(/ERROR: restore: pg_restore into 'restored_failing' failed/)]);
    expect(r.stderr).toMatch(/dropped the half-restored database 'restored_failing'/);
    expect(await dbExists("restored_failing")).toBe(false);
  });

  /** kubectl stand-in answering the calls the script makes the way kubectl does (YAML lists); optionally with metrics.k8s.io down. */
  const fakeKubectl = (metricsDown: boolean): string => {
    const file = path.join(base, metricsDown ? "kubectl-metrics-down" : "kubectl");
    fs.writeFileSync(
      file,
      `#!/usr/bin/env bash
case "$1 $2" in
  "api-resources --namespaced=true")
    printf 'configmaps\\nsecrets\\nevents\\ndeployments.apps\\ncronjobs.batch\\n'
    ${metricsDown ? `printf 'pods.metrics.k8s.io\\n'; echo 'error: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request' >&2; exit 1` : ""} ;;
  "get pods.metrics.k8s.io") echo 'Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods.metrics.k8s.io)' >&2; exit 1 ;;
  "get customresourcedefinitions") printf 'apiVersion: v1\\nkind: List\\nitems: []\\n' ;;
  "get namespace") printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: %s\\n' "$3" ;;
  "get secrets") printf 'apiVersion: v1\\nkind: List\\nitems:\\n- kind: Secret\\n  data:\\n    PGPASSWORD: c2VjcmV0\\n' ;;
  get\\ *) printf 'apiVersion: v1\\nkind: List\\nitems:\\n- kind: %s\\n' "$2" ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
    return file;
  };
  const archiveFiles = async (key: string): Promise<string[]> => (await run("tar", ["-tzf", storedFile(key)])).stdout.split("\n").filter((f) => f.endsWith(".yaml") || f.endsWith(".txt")).sort();

  it("backs up Kubernetes configuration under k8s-configs/ and Secrets only with SSE-KMS under k8s-configs/secrets/", async () => {
    // Records each AWS CLI call, to check the flags the secrets upload carried (s3rver does not keep SSE headers).
    const awsLog = path.join(base, "aws-calls.log");
    const awsWrapper = path.join(base, "aws-logging");
    fs.writeFileSync(awsWrapper, `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${awsLog}"\nexec ${DEBIAN_AWS_CLI} "$@"\n`, { mode: 0o755 });
    const common = { KUBECTL: fakeKubectl(false), AWS_CLI: awsWrapper, BACKUP_NAMESPACES: "stock-analysis-system", BACKUP_NOW: "2026-11-03T03:00:00Z" };
    const before = await keys();
    const refused = await script("k8s-config-backup.sh", [], { ...common, BACKUP_KMS_KEY_ID: "" });
    expect(refused.code).not.toBe(0);
    expect(errorLines(refused, "k8s-config-backup")).toEqual([expect.stringMatching(/ERROR: upload: BACKUP_KMS_KEY_ID is not set: secrets are only uploaded encrypted/)]);
    expect(await keys()).toEqual(before);

    const r = await script("k8s-config-backup.sh", [], { ...common, BACKUP_KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/offline" });
    expect(errorLines(r, "k8s-config-backup")).toEqual([]);
    expect(r.code).toBe(0);
    const uploaded = (await keys()).filter((k) => k.startsWith("k8s-configs/"));
    expect(uploaded).toEqual(["k8s-configs/k8s-config_20261103T030000Z.tar.gz", "k8s-configs/secrets/k8s-secrets_20261103T030000Z.tar.gz"]);
    const secretsUpload = fs.readFileSync(awsLog, "utf8").split("\n").find((line) => line.includes("k8s-configs/secrets/"));
    expect(secretsUpload).toMatch(/^s3 cp .*--sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-1:123456789012:key\/offline .*k8s-secrets_20261103T030000Z\.tar\.gz s3:\/\/backups\/k8s-configs\/secrets\//);
    expect(storedSha(uploaded[0])).toBe(sha256(fs.readFileSync(storedFile(uploaded[0]))));

    expect(await archiveFiles(uploaded[0])).toEqual([
      "./customresourcedefinitions.yaml",
      "./stock-analysis-system/configmaps.yaml",
      "./stock-analysis-system/cronjobs.batch.yaml",
      "./stock-analysis-system/deployments.apps.yaml",
      "./stock-analysis-system/namespace.yaml",
    ]);
  });

  it("backs up what it can read when an aggregated API (metrics.k8s.io) is unavailable, lists what it could not, and fails the Job for the alerts", async () => {
    const r = await script("k8s-config-backup.sh", [], { KUBECTL: fakeKubectl(true), BACKUP_INCLUDE_SECRETS: "false", BACKUP_NAMESPACES: "stock-analysis-system", BACKUP_NOW: "2026-11-04T03:00:00Z" });
    // Non-zero: the Job fails, which BackupJobFailed reads; one line names the step and what is missing.
    expect(r.code).not.toBe(0);
    expect(errorLines(r, "k8s-config-backup")).toEqual([
      expect.stringMatching(/ERROR: export: incomplete backup uploaded: 2 resource list\(s\) could not be read: discovery stock-analysis-system\/pods\.metrics\.k8s\.io \(details in UNREADABLE\.txt/),
    ]);
    const key = "k8s-configs/k8s-config_20261104T030000Z.tar.gz";
    expect((await keys()).filter((k) => k.includes("20261104"))).toEqual([key]);
    expect(await archiveFiles(key)).toEqual([
      "./UNREADABLE.txt",
      "./customresourcedefinitions.yaml",
      "./stock-analysis-system/configmaps.yaml",
      "./stock-analysis-system/cronjobs.batch.yaml",
      "./stock-analysis-system/deployments.apps.yaml",
      "./stock-analysis-system/namespace.yaml",
    ]);
    const meta = JSON.parse(fs.readFileSync(path.join(s3!.directory, BUCKET, `${key}._S3rver_metadata.json`), "utf8"));
    expect(meta["x-amz-meta-unreadable"]).toBe("2");
  });
});
