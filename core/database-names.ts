/**
 * The PostgreSQL database name a stack may choose, as strict as its strictest consumer. Pure.
 *
 * Consumers of `database.name`: RDS `DBName` (a letter, then letters, digits, '_', at most 63), libpq
 * (PGDATABASE in the connection Secret), and the restore job (scripts/backup/pg-restore.sh), whose
 * default target is `<name>_restore_<UTC yyyymmddHHMMSS>` and must match `^[a-z_][a-z0-9_]{0,62}$`.
 * A name that RDS accepts but the restore job does not (`Stock_Analysis`, 60 characters) would only
 * fail at restore time, in a disaster; so the config accepts only names all three take.
 */

/** What the restore job appends to the database name for its default target: `_restore_` + 14 digits. */
export const RESTORE_TARGET_SUFFIX_LENGTH = "_restore_".length + 14;
/** PostgreSQL's identifier limit (NAMEDATALEN - 1). */
export const POSTGRES_IDENTIFIER_MAX = 63;
/** Longest database name whose default restore target still fits PostgreSQL's limit. */
export const DATABASE_NAME_MAX = POSTGRES_IDENTIFIER_MAX - RESTORE_TARGET_SUFFIX_LENGTH;

/** Lowercase (PostgreSQL folds unquoted names; the restore job takes only lowercase), a letter first (RDS), at most DATABASE_NAME_MAX. */
export const DATABASE_NAME = new RegExp(`^[a-z][a-z0-9_]{0,${DATABASE_NAME_MAX - 1}}$`);

export const DATABASE_NAME_ALLOWED = `a lowercase PostgreSQL name: a letter, then lowercase letters, digits or '_', at most ${DATABASE_NAME_MAX} characters (the restore job's default target <name>_restore_<timestamp> must fit PostgreSQL's 63)`;

/** The restore job's default target database for `name` at `when` (as pg-restore.sh computes it). */
export function defaultRestoreTarget(name: string, when: Date): string {
  const stamp = when.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${name}_restore_${stamp}`;
}
