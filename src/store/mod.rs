//! The case: a folder that contains the SQLite case database, the tantivy
//! index and the log of one investigation.
//!
//! The case never points back into the export for data: everything the
//! investigator reads is copied into the database at import time, and the
//! export folder is only ever opened for reading.

pub mod annotations;
mod message_id;
mod schema;
pub mod stats;
pub mod writer;

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use message_id::message_id_to_sql;
pub use schema::{SCHEMA_VERSION, rebuild_stats};

/// File name of the case database inside the case folder.
pub const DATABASE_FILE: &str = "case.sqlite";
/// Folder of the full-text index inside the case folder.
pub const INDEX_DIR: &str = "index";
/// Folder of the log files inside the case folder.
pub const LOG_DIR: &str = "logs";
/// Lock file held by the process that imports into the case.
pub const IMPORT_LOCK_FILE: &str = "import.lock";

/// Errors of the case store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no case at {0}: create one with `cwlens import <EXPORT> --case {0}`")]
    NoCase(PathBuf),
    #[error(
        "the case database {path} is damaged ({source}); keep it for the record and import the export again into a new case folder"
    )]
    Damaged {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the case database {path} is damaged: it is {size} bytes long, shorter than a SQLite header, and no write-ahead log holds its pages; keep it for the record and import the export again into a new case folder"
    )]
    Truncated { path: PathBuf, size: u64 },
    #[error(
        "the case was written by a newer cwlens (schema {found}, this build knows {supported}); use a newer cwlens"
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error(
        "another cwlens process is importing into {0}; wait for it to finish, then run this command again"
    )]
    ImportRunning(PathBuf),
    #[error(
        "the last import into {0} did not finish, so some of its messages are missing from searches and lists; run the same `cwlens import` again to complete it (`cwlens stats` shows the error of a failed import, to fix first)"
    )]
    ImportUnfinished(PathBuf),
    #[error("cannot create the case folder {path}: {source}")]
    CreateFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Case-level facts recorded at creation and updated on import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseInfo {
    pub created_at: i64,
    pub investigator: String,
    pub purpose: String,
    pub export_path: Option<String>,
    pub source_tz: String,
}

/// An open case folder.
pub struct Case {
    dir: PathBuf,
    conn: Connection,
}

impl Case {
    /// Opens the case in `dir`, creating the folder and the database when absent.
    pub fn open_or_create(dir: &Path) -> Result<Case, StoreError> {
        create_private_dir(dir)?;
        let path = dir.join(DATABASE_FILE);
        let fresh = !path.exists();
        if !fresh {
            check_length(&path)?;
        }
        let conn = Connection::open(&path)?;
        if fresh {
            restrict_to_owner(&path)?;
        }
        Case::prepare(dir, conn)
    }

    /// Opens an existing case; a folder without a case database is an error.
    pub fn open(dir: &Path) -> Result<Case, StoreError> {
        let path = dir.join(DATABASE_FILE);
        if !path.is_file() {
            return Err(StoreError::NoCase(dir.to_path_buf()));
        }
        check_length(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)?;
        Case::prepare(dir, conn)
    }

    fn prepare(dir: &Path, mut conn: Connection) -> Result<Case, StoreError> {
        let path = dir.join(DATABASE_FILE);
        let damaged = |source| StoreError::Damaged {
            path: path.clone(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // A new database gets 8 KiB pages: rows of about 300 bytes leave
        // half as much unused space at the end of each page as with 4 KiB.
        // The size can only be set before the first table exists.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .map_err(damaged)?;
        if pages == 0 {
            conn.pragma_update(None, "page_size", 8192)?;
        }
        // WAL lets the TUI read while an import writes; NORMAL keeps every
        // committed batch after a crash (only the last one may roll back).
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(damaged)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Short commands (search, stats) would otherwise checkpoint and fsync
        // on every exit; SQLite's automatic checkpoints still bound the WAL.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        conn.pragma_update(None, "cache_size", -32_000)?;
        schema::migrate(&mut conn).map_err(|error| match error {
            StoreError::Sqlite(source) => damaged(source),
            other => other,
        })?;
        conn.execute(
            "INSERT OR IGNORE INTO case_info (id, created_at) VALUES (1, ?1)",
            [chrono::Utc::now().timestamp()],
        )?;
        Ok(Case {
            dir: dir.to_path_buf(),
            conn,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.dir.join(LOG_DIR)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Opens a second, read-only connection to the same database.
    pub fn reader(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(self.dir.join(DATABASE_FILE), flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        Ok(conn)
    }

    pub fn info(&self) -> Result<CaseInfo, StoreError> {
        Ok(self.conn.query_row(
            "SELECT created_at, investigator, purpose, export_path, source_tz FROM case_info WHERE id = 1",
            [],
            |row| {
                Ok(CaseInfo {
                    created_at: row.get(0)?,
                    investigator: row.get(1)?,
                    purpose: row.get(2)?,
                    export_path: row.get(3)?,
                    source_tz: row.get(4)?,
                })
            },
        )?)
    }

    /// Records the investigator and the purpose; an empty value keeps the old one.
    pub fn set_people_and_purpose(
        &self,
        investigator: Option<&str>,
        purpose: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(investigator) = investigator.filter(|value| !value.trim().is_empty()) {
            self.conn.execute(
                "UPDATE case_info SET investigator = ?1 WHERE id = 1",
                [investigator.trim()],
            )?;
        }
        if let Some(purpose) = purpose.filter(|value| !value.trim().is_empty()) {
            self.conn.execute(
                "UPDATE case_info SET purpose = ?1 WHERE id = 1",
                [purpose.trim()],
            )?;
        }
        Ok(())
    }

    pub fn set_export(&self, export_path: &str, source_tz: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE case_info SET export_path = ?1, source_tz = ?2 WHERE id = 1",
            [export_path, source_tz],
        )?;
        Ok(())
    }

    /// Returns the start time of the newest import when it did not complete:
    /// it was stopped, or it failed on a file.
    pub fn incomplete_import(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT started_at FROM imports WHERE status <> 'complete'
                 AND import_id = (SELECT max(import_id) FROM imports)",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Returns the error the last import failed with, if it failed.
    pub fn last_import_error(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT error FROM imports WHERE status = 'failed'
                 AND import_id = (SELECT max(import_id) FROM imports)",
                [],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Fails when an import is running or the last one did not finish:
    /// until it completes, the index and the per-room counts lag the
    /// messages, and a search could report no match for text the case holds.
    pub fn check_complete(&self) -> Result<(), StoreError> {
        match self.pending_import()? {
            None => Ok(()),
            Some(PendingImport::Running) => Err(StoreError::ImportRunning(self.dir.clone())),
            Some(PendingImport::Unfinished) => Err(StoreError::ImportUnfinished(self.dir.clone())),
        }
    }

    /// Returns the import the case's index and counts still lag, if any.
    pub fn pending_import(&self) -> Result<Option<PendingImport>, StoreError> {
        if import_running(&self.dir) {
            return Ok(Some(PendingImport::Running));
        }
        if self.incomplete_import()?.is_some() {
            return Ok(Some(PendingImport::Unfinished));
        }
        Ok(None)
    }

    /// Moves every page of the write-ahead log into the database file and
    /// empties the log. An import ends with it, so the case folder keeps no
    /// second copy of the pages it wrote.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Rewrites the database without its free pages when at least a tenth
    /// of them are free, as after the migration of an older case. Returns
    /// the file's bytes before and after, or `None` when it was left as it
    /// is. While it runs, the rewrite needs free disk space of about the
    /// database's size.
    pub fn vacuum_if_sparse(&self) -> Result<Option<(u64, u64)>, StoreError> {
        let pragma = |name: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))?)
        };
        let pages = pragma("page_count")?;
        let free = pragma("freelist_count")?;
        if pages == 0 || free * 10 < pages {
            return Ok(None);
        }
        let size = pragma("page_size")?;
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint()?;
        let after = pragma("page_count")?;
        Ok(Some(((pages * size) as u64, (after * size) as u64)))
    }

    /// Takes the import lock of the case, or fails when another process holds it.
    pub fn lock_for_import(&self) -> Result<ImportLock, StoreError> {
        lock_import(&self.dir)
    }
}

/// Held for the duration of an import; the OS releases it if the process dies.
pub struct ImportLock {
    _file: fs::File,
}

/// How long [`lock_import`] keeps trying while the lock is taken. Readers
/// that ask [`import_running`] hold a shared lock for a moment; this outlasts
/// them but not a real import.
const IMPORT_LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Takes the import lock of the case folder `dir`, creating the folder
/// (readable by its owner only) when it is absent. Fails when another
/// process still holds the lock after [`IMPORT_LOCK_PATIENCE`].
///
/// An import takes it before it opens the case database: opening writes,
/// and a second import that waited for the first one's transactions would
/// stall for the busy timeout instead of being refused.
pub fn lock_import(dir: &Path) -> Result<ImportLock, StoreError> {
    create_private_dir(dir)?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(IMPORT_LOCK_FILE))?;
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(ImportLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < IMPORT_LOCK_PATIENCE => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::ImportRunning(dir.to_path_buf()));
            }
            Err(fs::TryLockError::Error(error)) => return Err(StoreError::Io(error)),
        }
    }
}

/// An import whose messages the index and the counts of a case do not
/// fully reflect yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingImport {
    /// Another process is importing into the case now.
    Running,
    /// The last import stopped or failed before it finished.
    Unfinished,
}

/// Returns true when another process holds the import lock of the case in `dir`.
///
/// The probe takes a shared lock, so any number of readers can ask at the
/// same moment without seeing each other as an import.
pub fn import_running(dir: &Path) -> bool {
    let Ok(file) = fs::File::open(dir.join(IMPORT_LOCK_FILE)) else {
        return false;
    };
    matches!(file.try_lock_shared(), Err(fs::TryLockError::WouldBlock))
}

/// Length of the SQLite file header.
const SQLITE_HEADER_BYTES: u64 = 100;

/// Rejects a database file cut shorter than its header. SQLite takes a file
/// of 0 to 99 bytes for a new, empty database, so without this check a case
/// database truncated by a crash would silently open as an empty case. In
/// WAL mode a short file is sound while its `-wal` file contains the pages.
fn check_length(path: &Path) -> Result<(), StoreError> {
    let size = fs::metadata(path)?.len();
    if size >= SQLITE_HEADER_BYTES {
        return Ok(());
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_size = fs::metadata(PathBuf::from(wal)).map_or(0, |meta| meta.len());
    if wal_size > 0 {
        return Ok(());
    }
    Err(StoreError::Truncated {
        path: path.to_path_buf(),
        size,
    })
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let existed = dir.exists();
    fs::create_dir_all(dir).map_err(|source| StoreError::CreateFolder {
        path: dir.to_path_buf(),
        source,
    })?;
    if !existed {
        restrict_to_owner(dir)?;
    }
    Ok(())
}

/// Makes a case file or folder readable by its owner only, because it contains personal data.
pub fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_probing_together_never_see_an_import() {
        let dir = tempfile::tempdir().unwrap();
        drop(lock_import(dir.path()).unwrap());
        let probes: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || (0..300).filter(|_| import_running(&dir)).count())
            })
            .collect();
        let seen: usize = probes.into_iter().map(|p| p.join().unwrap()).sum();
        assert_eq!(seen, 0, "probes reported an import that was not running");
    }

    #[test]
    fn import_lock_is_taken_while_readers_probe() {
        let dir = tempfile::tempdir().unwrap();
        drop(lock_import(dir.path()).unwrap());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let prober = {
            let dir = dir.path().to_path_buf();
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    import_running(&dir);
                }
            })
        };
        for _ in 0..50 {
            let lock = lock_import(dir.path()).expect("a probe blocked the import");
            drop(lock);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        prober.join().unwrap();
    }

    /// A database with few free pages is left alone; one where a dropped
    /// table left many is rewritten smaller, with its rows.
    #[test]
    fn vacuum_only_when_sparse() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(dir.path()).unwrap();
        let conn = case.conn();
        conn.execute_batch(
            "CREATE TABLE filler (text TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO filler SELECT printf('%.500c', 'x') FROM n;
             CREATE TABLE kept (text TEXT);
             INSERT INTO kept VALUES ('残す');",
        )
        .unwrap();
        assert_eq!(case.vacuum_if_sparse().unwrap(), None);

        conn.execute_batch("DROP TABLE filler").unwrap();
        let (before, after) = case.vacuum_if_sparse().unwrap().expect("rewritten");
        assert!(after * 4 < before, "{before} -> {after}");
        let free: i64 = conn
            .query_row("PRAGMA freelist_count", [], |row| row.get(0))
            .unwrap();
        assert_eq!(free, 0);
        let note: String = conn
            .query_row("SELECT text FROM kept", [], |row| row.get(0))
            .unwrap();
        assert_eq!(note, "残す");
    }

    #[test]
    fn held_lock_rejects_second_import() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_import(dir.path()).unwrap();
        assert!(import_running(dir.path()));
        assert!(matches!(
            lock_import(dir.path()),
            Err(StoreError::ImportRunning(_))
        ));
        drop(held);
        assert!(!import_running(dir.path()));
    }
}
