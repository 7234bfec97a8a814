//! Logging to a file in the case folder. The terminal belongs to the
//! progress bar and the TUI, so logs never go there. Log lines carry
//! counts, timings and decisions, never message bodies or names.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Name of the log file inside the case's log folder.
pub const LOG_FILE: &str = "cwlens.log";

/// Starts logging into `<case>/logs/cwlens.log`. `RUST_LOG` sets the level
/// (default `info`). Calling it twice keeps the first setup.
pub fn init(log_dir: &Path) {
    if std::fs::create_dir_all(log_dir).is_err() {
        return;
    }
    let _ = crate::store::restrict_to_owner(log_dir);
    let path = log_dir.join(LOG_FILE);
    let Ok(file) = OpenOptions::new().create(true).append(true).open(&path) else {
        return;
    };
    let _ = crate::store::restrict_to_owner(&path);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}
