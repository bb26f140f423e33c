/**
 * The backup is proven by restoring it: the scripts the CronJobs run (scripts/backup/*.sh) are run for
 * real against a PostgreSQL server (Debian package) and an S3 API (s3rver) on loopback, through the
 * Debian AWS CLI v2. Skips when the tools are missing, except under CI=true where that is a failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { DEBIAN_AWS_CLI, PostgresServer, RunResult, S3Server, findPostgresBin, makeTempDir, run, startPostgres, startS3rver, storedKeys } from "./support/backup-servers";

const ROOT = path.join(__dirname, "..");
const SCRIPTS = path.join(ROOT, "scripts", "backup");
const BUCKET = "backups";
const DB = "stock_analysis";

const pgBin = findPostgresBin();
const missing = [...(pgBin ? [] : ["PostgreSQL server binaries (apt-get install postgresql)"]), ...(fs.existsSync(DEBIAN_AWS_CLI) ? [] : [`${DEBIAN_AWS_CLI} (apt-get install awscli)`])];
const underCi = process.env.CI === "true";
const suite = missing.length && !underCi ? describe.skip : describe;
if (missing.length && !underCi) console.warn(`backup-restore.real.test: skipped, missing ${missing.join(", ")}`);

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
    run("bash", [path.join(SCRIPTS, name), ...args], { env: { ...env, ...extraEnv }, timeoutMs: 25000 });
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

  let firstSnapshot: Record<string, string> = {};

  beforeAll(async () => {
    if (missing.length) throw new Error(`CI=true and the real backup test cannot run: missing ${missing.join(", ")}`);
    base = makeTempDir("backup-real-");
    [pg, s3] = await Promise.all([startPostgres(pgBin!, base), startS3rver(base, [BUCKET])]);
    env = {
      PATH: `${pgBin}:${process.env.PATH}`,
      HOME: base,
      ...pg.env,
      PGDATABASE: DB,
      BACKUP_BUCKET: BUCKET,
      // As in the CronJob's upload container: uploads ask for SSE-KMS with the backup key.
      BACKUP_KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/offline",
      AWS_CLI: DEBIAN_AWS_CLI,
      AWS_ENDPOINT_URL: s3.endpoint,
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
    await Promise.allSettled([pg?.stop(), s3?.stop()]);
    if (base) fs.rmSync(base, { recursive: true, force: true });
  }, 30000);

  it("uploads Sunday the 1st's daily dump under daily/, weekly/ and monthly/", async () => {
    const r = await script("pg-backup.sh", ["--tier", "daily"], { BACKUP_NOW: "2026-11-01T02:00:00Z" });
    expect(r.stderr).toMatch(/verified \d+ archive entries/);
    expect(r.code).toBe(0);
    expect(await keys()).toEqual([
      "postgresql/daily/stock_analysis_20261101T020000Z.dump.gz",
      "postgresql/monthly/stock_analysis_20261101T020000Z.dump.gz",
      "postgresql/weekly/stock_analysis_20261101T020000Z.dump.gz",
    ]);
  });

  it("uploads a Tuesday's daily dump under daily/ only, and an hourly dump under hourly/ only", async () => {
    await sql(DB, "INSERT INTO stocks (symbol, name, listed) VALUES ('NEW', 'Listed after Sunday', date '2026-11-02'); DELETE FROM analytics.reports WHERE id <= 10;");
    const daily = await script("pg-backup.sh", [], { BACKUP_NOW: "2026-11-03T02:00:00Z" });
    expect(daily.code).toBe(0);
    // A Sunday, but hourly dumps are not the weekly copy.
    const hourly = await script("pg-backup.sh", ["--tier", "hourly"], { BACKUP_NOW: "2026-11-08T10:00:00Z" });
    expect(hourly.code).toBe(0);
    const all = await keys();
    expect(all.filter((k) => k.includes("20261103"))).toEqual(["postgresql/daily/stock_analysis_20261103T020000Z.dump.gz"]);
    expect(all.filter((k) => k.includes("20261108"))).toEqual(["postgresql/hourly/stock_analysis_20261108T100000Z.dump.gz"]);
  });

  it("restores the newest daily dump into a fresh database with identical rows and reports the counts", async () => {
    const source = await fingerprint(DB);
    expect(source).not.toEqual(firstSnapshot);
    const r = await script("pg-restore.sh", ["--target-database", "restored_daily"]);
    expect(r.stderr).toMatch(/downloading s3:\/\/backups\/postgresql\/daily\/stock_analysis_20261103T020000Z\.dump\.gz/);
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
    expect(live.stderr).toMatch(/refusing to restore over the live database/);
    const existing = await script("pg-restore.sh", ["--target-database", "restored_daily"]);
    expect(existing.code).not.toBe(0);
    expect(existing.stderr).toMatch(/already exists/);
  });

  it.each([["truncated", "truncate"], ["corrupted", "corrupt"]] as const)("fails without uploading when the dump is %s, although pg_restore --list still reads it", async (_state, mode) => {
    const before = await keys();
    const r = await script("pg-backup.sh", [], { PG_DUMP: damagingPgDump(mode), BACKUP_NOW: "2026-11-15T02:00:00Z" });
    expect(r.code).not.toBe(0);
    // The table of contents survives the damage, so only the full read-back catches it.
    expect(r.stderr).toMatch(/cannot read the dump back in full \(truncated or corrupt\): not uploading/);
    expect(await keys()).toEqual(before);
  });

  it("fails without uploading when pg_dump cannot reach the database", async () => {
    const before = await keys();
    const r = await script("pg-backup.sh", [], { PGDATABASE: "no_such_database", BACKUP_NOW: "2026-11-16T02:00:00Z" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no_such_database/);
    expect(await keys()).toEqual(before);
  });

  it("runs as two containers would: dump then upload through a shared directory, and the upload refuses an altered dump", async () => {
    const work = path.join(base, "shared-emptydir");
    const dump = await script("pg-backup.sh", ["--phase", "dump", "--work-dir", work], { BACKUP_NOW: "2026-11-22T02:00:00Z" });
    expect(dump.code).toBe(0);
    const file = path.join(work, "stock_analysis_20261122T020000Z.dump.gz");
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(work).filter((f) => f.endsWith(".partial"))).toEqual([]);

    const original = fs.readFileSync(file);
    fs.writeFileSync(file, original.subarray(0, original.length - 100));
    const before = await keys();
    const tampered = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", work]);
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/checksum mismatch/);
    expect(await keys()).toEqual(before);

    fs.writeFileSync(file, original);
    const upload = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", work]);
    expect(upload.code).toBe(0);
    // 2026-11-22 is a Sunday: the upload container follows the dump container's decision.
    expect((await keys()).filter((k) => k.includes("20261122"))).toEqual([
      "postgresql/daily/stock_analysis_20261122T020000Z.dump.gz",
      "postgresql/weekly/stock_analysis_20261122T020000Z.dump.gz",
    ]);

    const empty = path.join(base, "empty-emptydir");
    const nothing = await script("pg-backup.sh", ["--phase", "upload", "--work-dir", empty]);
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/no verified dump/);
  });

  it("refuses to restore an object that is not a pg_dump archive, before creating the target database", async () => {
    const bogus = path.join(base, "bogus.dump.gz");
    fs.writeFileSync(bogus, gzipSync(Buffer.from("not a pg_dump archive\n".repeat(100))));
    const key = "postgresql/daily/stock_analysis_20991231T000000Z.dump.gz";
    expect((await run(DEBIAN_AWS_CLI, ["s3", "cp", "--only-show-errors", "--endpoint-url", s3!.endpoint, bogus, `s3://${BUCKET}/${key}`], { env })).code).toBe(0);
    // The newest object of the tier is the bogus one: the restore picks it, checks it and stops.
    const r = await script("pg-restore.sh", ["--target-database", "restored_bogus"]);
    expect(r.stderr).toContain(`downloading s3://${BUCKET}/${key}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is not a readable pg_dump archive/);
    expect(await sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'restored_bogus'")).toBe("0");
  });

  it("backs up Kubernetes configuration under k8s-configs/ and Secrets only with SSE-KMS under k8s-configs/secrets/", async () => {
    const kubectl = path.join(base, "kubectl");
    // Answers the calls the script makes the way kubectl does (YAML lists), so the archive layout can be checked.
    fs.writeFileSync(
      kubectl,
      `#!/usr/bin/env bash
case "$1 $2" in
  "api-resources --namespaced=true") printf 'configmaps\\nsecrets\\nevents\\ndeployments.apps\\ncronjobs.batch\\n' ;;
  "get customresourcedefinitions") printf 'apiVersion: v1\\nkind: List\\nitems: []\\n' ;;
  "get namespace") printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: %s\\n' "$3" ;;
  "get secrets") printf 'apiVersion: v1\\nkind: List\\nitems:\\n- kind: Secret\\n  data:\\n    PGPASSWORD: c2VjcmV0\\n' ;;
  get\\ *) printf 'apiVersion: v1\\nkind: List\\nitems:\\n- kind: %s\\n' "$2" ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
    // Records each AWS CLI call, to check the flags the secrets upload carried (s3rver does not keep SSE headers).
    const awsLog = path.join(base, "aws-calls.log");
    const awsWrapper = path.join(base, "aws-logging");
    fs.writeFileSync(awsWrapper, `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${awsLog}"\nexec ${DEBIAN_AWS_CLI} "$@"\n`, { mode: 0o755 });
    const common = { KUBECTL: kubectl, AWS_CLI: awsWrapper, BACKUP_NAMESPACES: "stock-analysis-system", BACKUP_NOW: "2026-11-03T03:00:00Z" };
    const before = await keys();
    const refused = await script("k8s-config-backup.sh", [], { ...common, BACKUP_KMS_KEY_ID: "" });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/secrets are only uploaded encrypted/);
    expect(await keys()).toEqual(before);

    const r = await script("k8s-config-backup.sh", [], { ...common, BACKUP_KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/offline" });
    expect(r.code).toBe(0);
    const uploaded = (await keys()).filter((k) => k.startsWith("k8s-configs/"));
    expect(uploaded).toEqual(["k8s-configs/k8s-config_20261103T030000Z.tar.gz", "k8s-configs/secrets/k8s-secrets_20261103T030000Z.tar.gz"]);
    const secretsUpload = fs.readFileSync(awsLog, "utf8").split("\n").find((line) => line.includes("k8s-configs/secrets/"));
    expect(secretsUpload).toMatch(/^s3 cp .*--sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-1:123456789012:key\/offline .*k8s-secrets_20261103T030000Z\.tar\.gz s3:\/\/backups\/k8s-configs\/secrets\//);

    const download = path.join(base, "k8s-config.tar.gz");
    expect((await run(DEBIAN_AWS_CLI, ["s3", "cp", "--only-show-errors", "--endpoint-url", s3!.endpoint, `s3://${BUCKET}/${uploaded[0]}`, download], { env })).code).toBe(0);
    const listing = await run("tar", ["-tzf", download]);
    const files = listing.stdout.split("\n").filter((f) => f.endsWith(".yaml")).sort();
    expect(files).toEqual([
      "./customresourcedefinitions.yaml",
      "./stock-analysis-system/configmaps.yaml",
      "./stock-analysis-system/cronjobs.batch.yaml",
      "./stock-analysis-system/deployments.apps.yaml",
      "./stock-analysis-system/namespace.yaml",
    ]);
    // Secrets (and Events) stay out of the plain configuration archive.
    expect(files.join(" ")).not.toMatch(/secrets|events/);
  });
});
