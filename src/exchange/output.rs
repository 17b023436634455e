//! Writing files the user asked for: never over an existing file unless forced, atomically
//! (temporary file in the same folder, then rename), and readable by the owner only.

use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path} は既に存在します。上書きする場合は --force を指定してください")]
    Exists { path: String },
    // `cause`, not `source`: the reason is in the sentence once, not repeated by the chain.
    #[error("{path} に書き込めません: {cause}")]
    Io { path: String, cause: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io { path: path.display().to_string(), cause }
}

/// Refuses an existing path unless `force`.
pub fn check_free(path: &Path, force: bool) -> Result<(), OutputError> {
    if path.exists() && !force {
        return Err(OutputError::Exists { path: path.display().to_string() });
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically with mode 0600.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), OutputError> {
    write_via(path, force, |tmp| fs::write(tmp, bytes))
}

/// Writes through `fill`, which is given a private temporary path in the same folder, then
/// moves the result into place atomically (0600, no overwrite unless `force`).
pub fn write_via(path: &Path, force: bool, fill: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<(), OutputError> {
    check_free(path, force)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new().prefix(".shinko-").suffix(".part").tempfile_in(dir).map_err(io(path))?;
    restrict(tmp.path()).map_err(io(path))?;
    fill(tmp.path()).map_err(io(path))?;
    // Through the temporary file's own read-write handle: Windows refuses FlushFileBuffers on a
    // handle opened read-only (os error 5), which is what `File::open` gives.
    tmp.as_file().sync_all().map_err(io(path))?;
    let persisted = if force { tmp.persist(path) } else { tmp.persist_noclobber(path) };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            OutputError::Exists { path: path.display().to_string() }
        } else {
            OutputError::Io { path: path.display().to_string(), cause: e.error }
        }
    })?;
    Ok(())
}

/// Creates `dir` (and parents) if missing, owner-only.
pub fn ensure_dir(dir: &Path) -> Result<PathBuf, OutputError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    // Best effort: a folder the user already shares (or a USB stick without ACLs) keeps its own.
    let _ = crate::platform::restrict_dir(dir);
    Ok(dir.to_path_buf())
}

/// Owner-only before anything is written into it. Windows volumes without ACLs (FAT32/exFAT
/// sticks) refuse; the file is still written there, as the user chose that place.
fn restrict(path: &Path) -> std::io::Result<()> {
    match crate::platform::restrict_file(path) {
        Err(e) if cfg!(windows) => {
            tracing::warn!(os_error = e.raw_os_error(), "owner-only ACL not applied");
            Ok(())
        }
        r => r,
    }
}

/// A file name safe on every OS, from text that may hold Japanese and punctuation.
pub fn safe_file_name(s: &str) -> String {
    s.chars()
        .map(
            |c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '_'
                } else {
                    c
                }
            },
        )
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_without_force_and_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("会議録.md");
        write_file(&p, "一".as_bytes(), false).unwrap();
        let err = write_file(&p, "二".as_bytes(), false).unwrap_err();
        assert!(err.to_string().contains("--force"));
        assert_eq!(fs::read_to_string(&p).unwrap(), "一");
        write_file(&p, "二".as_bytes(), true).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "二");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
    }

    #[test]
    fn file_names_are_sanitised() {
        assert_eq!(safe_file_name("第1小学校/保健室:*"), "第1小学校_保健室__");
    }
}
