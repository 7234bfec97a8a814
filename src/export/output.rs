//! Output files: written under a temporary name while the export runs,
//! hashed with SHA-256 as they are written, and moved to their final
//! names only when the whole export succeeded. A cancelled or failed export
//! removes what it wrote and leaves any earlier file at the path untouched.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ExportError;

/// Suffix of files and folders while an export writes them.
const PARTIAL_SUFFIX: &str = ".partial";

/// A finished output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// A file being written, with a running hash of what went into it.
pub struct HashingFile {
    /// Path the file gets when the export succeeds.
    final_path: PathBuf,
    /// Path the bytes go to now.
    write_path: PathBuf,
    writer: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl HashingFile {
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Flushes the file to disk and returns its final path, size and hash.
    pub fn finish(mut self) -> Result<OutputFile, ExportError> {
        let write_path = self.write_path.clone();
        let wrap = |source| ExportError::Write {
            path: write_path.clone(),
            source,
        };
        self.writer.flush().map_err(wrap)?;
        self.writer.get_ref().sync_all().map_err(wrap)?;
        Ok(OutputFile {
            path: self.final_path,
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        })
    }

    /// Writes bytes, naming the file in the error.
    pub fn put(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        self.write_all(bytes).map_err(|source| ExportError::Write {
            path: self.write_path.clone(),
            source,
        })
    }
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.writer.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The destination of an export: files beside each other, or one folder.
pub struct Staging {
    layout: Layout,
    /// Working files that never become output, removed at the end.
    scratch: Vec<PathBuf>,
    committed: bool,
}

enum Layout {
    /// Each file is written as `<name>.partial` and renamed at the end.
    Files(Vec<PathBuf>),
    /// Every file goes into `<folder>.partial/`, renamed at the end.
    Folder {
        final_dir: PathBuf,
        write_dir: PathBuf,
    },
}

impl Staging {
    /// Prepares to write files at `paths`. An existing file is an error
    /// unless `force` is set, and then it is replaced only at the end.
    pub fn files(paths: &[PathBuf], force: bool) -> Result<Staging, ExportError> {
        for path in paths {
            if path.is_dir() {
                return Err(ExportError::OutputIsFolder(path.clone()));
            }
            if path.exists() && !force {
                return Err(ExportError::OutputExists(path.clone()));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent).map_err(|source| ExportError::Write {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            remove_stale(&partial_path(path))?;
        }
        Ok(Staging {
            layout: Layout::Files(Vec::new()),
            scratch: Vec::new(),
            committed: false,
        })
    }

    /// Prepares to write a folder. An existing folder is replaced only
    /// with `force`, and only when it is empty or an earlier export (it
    /// contains `manifest.json`), so no unrelated folder is ever deleted.
    pub fn folder(dir: &Path, force: bool) -> Result<Staging, ExportError> {
        // `report/` names the folder `report`: the staging folder goes
        // beside it, not inside it.
        let dir: PathBuf = dir.components().collect();
        let dir = dir.as_path();
        if dir.exists() {
            let earlier_export = dir.join(super::manifest::FOLDER_MANIFEST).is_file()
                || fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
            if !dir.is_dir() || !earlier_export {
                return Err(ExportError::NotAnExport(dir.to_path_buf()));
            }
            if !force {
                return Err(ExportError::OutputExists(dir.to_path_buf()));
            }
        }
        let write_dir = partial_path(dir);
        remove_stale(&write_dir)?;
        fs::create_dir_all(&write_dir).map_err(|source| ExportError::Write {
            path: write_dir.clone(),
            source,
        })?;
        Ok(Staging {
            layout: Layout::Folder {
                final_dir: dir.to_path_buf(),
                write_dir,
            },
            scratch: Vec::new(),
            committed: false,
        })
    }

    /// Creates a file that ends up at `final_path` (inside the folder, for
    /// a folder export).
    pub fn create(&mut self, final_path: &Path) -> Result<HashingFile, ExportError> {
        let write_path = match &mut self.layout {
            Layout::Files(written) => {
                let partial = partial_path(final_path);
                written.push(final_path.to_path_buf());
                partial
            }
            Layout::Folder {
                final_dir,
                write_dir,
            } => {
                let relative = final_path.strip_prefix(&*final_dir).unwrap_or(final_path);
                write_dir.join(relative)
            }
        };
        let file = File::create_new(&write_path).map_err(|source| ExportError::Write {
            path: write_path.clone(),
            source,
        })?;
        let _ = crate::store::restrict_to_owner(&write_path);
        Ok(HashingFile {
            final_path: final_path.to_path_buf(),
            write_path,
            writer: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Returns the path of a working file beside `near`, which is removed
    /// when the export ends, successfully or not.
    pub fn scratch_path(&mut self, near: &Path, suffix: &str) -> Result<PathBuf, ExportError> {
        let mut name = near.as_os_str().to_owned();
        name.push(suffix);
        name.push(PARTIAL_SUFFIX);
        let path = PathBuf::from(name);
        remove_stale(&path)?;
        self.scratch.push(path.clone());
        Ok(path)
    }

    /// Moves everything written to its final name.
    pub fn commit(mut self) -> Result<(), ExportError> {
        for path in &self.scratch {
            let _ = fs::remove_file(path);
        }
        match &self.layout {
            Layout::Files(paths) => {
                for path in paths {
                    let partial = partial_path(path);
                    fs::rename(&partial, path).map_err(|source| ExportError::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
            }
            Layout::Folder {
                final_dir,
                write_dir,
            } => {
                if final_dir.exists() {
                    fs::remove_dir_all(final_dir).map_err(|source| ExportError::Write {
                        path: final_dir.clone(),
                        source,
                    })?;
                }
                fs::rename(write_dir, final_dir).map_err(|source| ExportError::Write {
                    path: final_dir.clone(),
                    source,
                })?;
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    /// Removes what an unfinished export wrote.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for path in &self.scratch {
            let _ = fs::remove_file(path);
        }
        match &self.layout {
            Layout::Files(paths) => {
                for path in paths {
                    let _ = fs::remove_file(partial_path(path));
                }
            }
            Layout::Folder { write_dir, .. } => {
                let _ = fs::remove_dir_all(write_dir);
            }
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(PARTIAL_SUFFIX);
    PathBuf::from(name)
}

/// Removes what an earlier export left when it was killed.
fn remove_stale(partial: &Path) -> Result<(), ExportError> {
    let result = if partial.is_dir() {
        fs::remove_dir_all(partial)
    } else if partial.exists() {
        fs::remove_file(partial)
    } else {
        Ok(())
    };
    result.map_err(|source| ExportError::Write {
        path: partial.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_appear_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut staging = Staging::files(std::slice::from_ref(&path), false).unwrap();
        let mut file = staging.create(&path).unwrap();
        file.put(b"abc").unwrap();
        let output = file.finish().unwrap();
        assert!(!path.exists());
        staging.commit().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"abc");
        assert_eq!(output.bytes, 3);
        assert_eq!(
            output.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn dropped_staging_removes_partials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut staging = Staging::files(std::slice::from_ref(&path), false).unwrap();
        staging.create(&path).unwrap().put(b"x").unwrap();
        drop(staging);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn existing_file_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        fs::write(&path, "old").unwrap();
        assert!(matches!(
            Staging::files(std::slice::from_ref(&path), false),
            Err(ExportError::OutputExists(_))
        ));
        assert!(Staging::files(std::slice::from_ref(&path), true).is_ok());
    }

    #[test]
    fn folder_is_no_file_output() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Staging::files(&[dir.path().to_path_buf()], true),
            Err(ExportError::OutputIsFolder(_))
        ));
    }

    #[test]
    fn folder_named_with_trailing_slash() {
        let dir = tempfile::tempdir().unwrap();
        let named = format!("{}/report/", dir.path().display());
        let mut staging = Staging::folder(Path::new(&named), false).unwrap();
        let page = Path::new(&named).join("index.html");
        staging.create(&page).unwrap().put(b"<p>").unwrap();
        staging.commit().unwrap();
        assert_eq!(
            fs::read(dir.path().join("report/index.html")).unwrap(),
            b"<p>"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report"]);
    }

    #[test]
    fn unrelated_folder_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "keep").unwrap();
        assert!(matches!(
            Staging::folder(dir.path(), true),
            Err(ExportError::NotAnExport(_))
        ));
        assert!(dir.path().join("notes.txt").exists());
    }
}
