//! The record of valid paths and their references: a SQLite database laid out as
//! C++ Nix lays out its `db.sqlite` (tables `ValidPaths` and `Refs`), so the two
//! can read each other's stores.

use nixie_eval::store::StoreError;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = "
create table if not exists ValidPaths (
    id integer primary key autoincrement not null,
    path text unique not null,
    hash text not null,
    registrationTime integer not null,
    deriver text,
    narSize integer,
    ultimate integer,
    sigs text,
    ca text
);
create table if not exists Refs (
    referrer integer not null,
    reference integer not null,
    primary key (referrer, reference),
    foreign key (referrer) references ValidPaths(id) on delete cascade,
    foreign key (reference) references ValidPaths(id) on delete restrict
);
create index if not exists IndexReference on Refs(reference);
create table if not exists DerivationOutputs (
    drv integer not null,
    id text not null,
    path text not null,
    primary key (drv, id),
    foreign key (drv) references ValidPaths(id) on delete cascade
);
create index if not exists IndexDerivationOutputs on DerivationOutputs(path);
";

fn db_error(e: rusqlite::Error) -> StoreError {
    StoreError(format!("store database: {e}"))
}

/// An open store database.
pub(crate) struct Db {
    conn: Connection,
}

/// What is registered about a valid path.
pub(crate) struct Registration<'a> {
    pub(crate) path: &'a str,
    /// `sha256:<base16>` of the NAR.
    pub(crate) nar_hash: String,
    pub(crate) nar_size: u64,
    pub(crate) references: &'a BTreeSet<String>,
    pub(crate) ca: &'a str,
}

impl Db {
    /// Open (creating if `writable`) the database at `file`.
    pub(crate) fn open(file: &Path, writable: bool) -> Result<Db, StoreError> {
        let flags = if writable {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        };
        let conn = Connection::open_with_flags(file, flags).map_err(db_error)?;
        conn.busy_timeout(Duration::from_secs(60))
            .map_err(db_error)?;
        if writable {
            conn.pragma_update(None, "journal_mode", "wal")
                .map_err(db_error)?;
            conn.execute_batch(SCHEMA).map_err(db_error)?;
        }
        conn.pragma_update(None, "foreign_keys", "on")
            .map_err(db_error)?;
        Ok(Db { conn })
    }

    /// Whether `path` is registered.
    pub(crate) fn is_valid(&self, path: &str) -> Result<bool, StoreError> {
        self.id_of(path).map(|id| id.is_some())
    }

    fn id_of(&self, path: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("select id from ValidPaths where path = ?1", [path], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_error)
    }

    /// Register a path and its references (those that are registered themselves)
    /// in one transaction; registering a valid path again changes nothing.
    pub(crate) fn register(&mut self, reg: &Registration<'_>) -> Result<(), StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let tx = self.conn.transaction().map_err(db_error)?;
        let inserted = tx
            .execute(
                "insert or ignore into ValidPaths (path, hash, registrationTime, narSize, ultimate, ca) \
                 values (?1, ?2, ?3, ?4, 1, ?5)",
                params![reg.path, reg.nar_hash, now, reg.nar_size as i64, reg.ca],
            )
            .map_err(db_error)?;
        if inserted > 0 {
            let id = tx.last_insert_rowid();
            for r in reg.references {
                tx.execute(
                    "insert or ignore into Refs (referrer, reference) \
                     select ?1, id from ValidPaths where path = ?2",
                    params![id, r],
                )
                .map_err(db_error)?;
            }
        }
        tx.commit().map_err(db_error)
    }

    /// The registered references of `path` (None if it is not valid).
    pub(crate) fn references(&self, path: &str) -> Result<Option<BTreeSet<String>>, StoreError> {
        let Some(id) = self.id_of(path)? else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare("select v.path from Refs r join ValidPaths v on r.reference = v.id where r.referrer = ?1")
            .map_err(db_error)?;
        let rows = stmt
            .query_map([id], |r| r.get::<_, String>(0))
            .map_err(db_error)?;
        rows.collect::<Result<_, _>>().map(Some).map_err(db_error)
    }
}
