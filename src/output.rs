//! Writing files: names, and atomic writes (a temporary file in the target
//! directory, renamed into place only when every file of the run is ready), so a
//! failure never leaves a half-written or mixed set of PDFs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file to write: its name inside the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name (no directory part).
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Writes all `files` into `dir`: each goes to a temporary file first, and only
/// when every one is written are they renamed into place. On error nothing in
/// `dir` has changed (the temporaries are removed).
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::msg(format!("the output directory {} is a file, not a directory", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create output directory", dir, e))?;
    let mut staged: Vec<(tempfile::TempPath, PathBuf)> = Vec::with_capacity(files.len());
    for file in files {
        debug_assert!(!file.name.contains('/') && !file.name.contains('\\'));
        let target = dir.join(&file.name);
        let mut temp = tempfile::Builder::new()
            .prefix(".backprop-worksheet-")
            .tempfile_in(dir)
            .map_err(|e| Error::io("write into", dir, e))?;
        temp.write_all(&file.bytes).map_err(|e| Error::io("write", &target, e))?;
        temp.as_file().sync_all().map_err(|e| Error::io("write", &target, e))?;
        staged.push((temp.into_temp_path(), target));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (temp, target) in staged {
        temp.persist(&target).map_err(|e| Error::io("write", &target, e.error))?;
        written.push(target);
    }
    Ok(written)
}

/// A file-name-safe version of `name`: letters and digits kept (any script),
/// everything else folded to single dashes, at most 60 characters.
pub fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= 60 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-').to_owned();
    if trimmed.is_empty() {
        "student".to_owned()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_letters_of_any_script() {
        assert_eq!(sanitize("Zoë O'Brien"), "zoë-o-brien");
        assert_eq!(sanitize("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitize("😀"), "student");
        assert_eq!(sanitize("שלום עולם"), "שלום-עולם");
        assert_eq!(sanitize(&"a".repeat(500)).len(), 60);
    }

    #[test]
    fn write_all_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![OutputFile { name: "a.txt".into(), bytes: b"a".to_vec() }];
        write_all(dir.path(), &files).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"a");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporaries left: {names:?}");
    }
}
