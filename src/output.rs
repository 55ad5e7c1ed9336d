//! Writing files: names, and atomic writes (a temporary file in the target
//! directory, renamed into place only when every file of the run is ready), so a
//! failure never leaves a half-written or mixed set of PDFs.
//!
//! An interrupted run leaves nothing either: every temporary file is listed
//! while it exists, and Ctrl-C or a termination signal removes them before
//! the process ends ([`remove_temporaries_on_signal`]). A run that was killed
//! outright (or a crash) cannot clean up; its temporary files carry its
//! process id, and a later run removes those of processes no longer running
//! ([`dead_temporaries`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// How every temporary file of this tool begins: `.backprop-worksheet-`,
/// then the process id and `-` (files of versions before the process id have
/// six random characters right after the prefix).
const TEMPORARY: &str = ".backprop-worksheet-";

/// The temporary files and the output directories this process has on disk
/// now. Files are created and listed under the lock, so whoever holds it
/// knows every one.
static LIVE: Mutex<Live> = Mutex::new(Live { files: Vec::new(), dirs: Vec::new() });

/// Held while a run's files are renamed into place, so that a signal
/// waits for a commit to finish rather than cutting it in half.
static COMMITTING: Mutex<()> = Mutex::new(());

struct Live {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

/// Locks `mutex`, also after a thread panicked holding it (the lists stay usable).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Creates a temporary file in `dir`, named for this process and listed
/// until [`forget`] (or removed by a signal).
fn temporary(dir: &Path, kind: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut live = lock(&LIVE);
    let file =
        tempfile::Builder::new().prefix(&format!("{TEMPORARY}{}-{kind}", std::process::id())).tempfile_in(dir)?;
    live.files.push(file.path().to_owned());
    Ok(file)
}

/// Takes `paths` off the list of temporary files (renamed into place, or
/// deleted).
fn forget(paths: &[PathBuf]) {
    lock(&LIVE).files.retain(|p| !paths.contains(p));
}

/// On Ctrl-C (SIGINT), SIGTERM or SIGHUP: waits for a commit under way to
/// finish, removes every temporary file of this process (and the output
/// directories it made, if they are empty) and ends it with exit code 130.
/// The files already in place stay as they were: a run is all or nothing.
pub fn remove_temporaries_on_signal() {
    // A second handler cannot be installed (in tests that run the CLI in
    // process): the first one does the same.
    let _ = ctrlc::set_handler(|| {
        let _commit = lock(&COMMITTING);
        let live = lock(&LIVE);
        for file in &live.files {
            let _ = std::fs::remove_file(file);
        }
        for dir in live.dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        if !live.files.is_empty() {
            let _ = writeln!(std::io::stderr(), "interrupted: the files of this run were not written");
        }
        // Exit holding the lists' lock, so no new temporary file appears.
        std::process::exit(130);
    });
}

/// The temporary files in `dir` that a run no longer running left (it was
/// killed, or crashed): to be removed by the next run, and reported as extra
/// by `generate --check`.
pub fn dead_temporaries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut dead: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| {
            let Some(rest) = name.strip_prefix(TEMPORARY) else { return false };
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            match rest[digits..].starts_with('-') && digits > 0 {
                true => rest[..digits].parse().is_ok_and(|pid: u32| pid != std::process::id() && !running(pid)),
                // From a version before temporary files carried a process id.
                false => true,
            }
        })
        .collect();
    dead.sort();
    dead
}

/// Whether a process with id `pid` is running.
#[cfg(unix)]
fn running(pid: u32) -> bool {
    use nix::errno::Errno;
    let Ok(pid) = i32::try_from(pid) else { return false };
    !matches!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

/// Whether a process with id `pid` is running: not known here, so assumed
/// (its temporary files are left alone).
#[cfg(not(unix))]
fn running(_: u32) -> bool {
    true
}

/// A file to write: its name inside the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name (no directory part).
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Where the files of a run go as they are made.
pub trait Sink {
    /// Takes one finished file.
    fn put(&mut self, file: OutputFile) -> Result<()>;
    /// Starts a file that is written a piece at a time (a class pack), so it
    /// never has to be held in memory whole.
    fn create(&mut self, name: &str) -> Result<Pending>;
    /// Takes a file started with [`Sink::create`], once it is complete.
    fn finish(&mut self, file: Pending) -> Result<()>;
    /// Notes a file in the output directory that an earlier run of the same
    /// config made and this run does not (or a temporary file a killed run
    /// left): staged for removal, reported as extra by `--check`.
    fn leftover(&mut self, name: &str) -> Result<()>;
}

/// A file being written a piece at a time; see [`Sink::create`]. Dropped
/// without [`Sink::finish`], it leaves nothing behind.
pub struct Pending {
    name: String,
    to: PendingTo,
    /// Bytes written so far.
    len: usize,
}

impl Pending {
    fn new(name: &str, to: PendingTo) -> Pending {
        Pending { name: name.to_owned(), to, len: 0 }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many bytes were written to it so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written to it yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

enum PendingTo {
    Memory(Vec<u8>),
    Disk(std::io::BufWriter<tempfile::NamedTempFile>),
    Compare(Comparer),
}

impl std::io::Write for Pending {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = match &mut self.to {
            PendingTo::Memory(bytes) => bytes.write(buf),
            PendingTo::Disk(file) => file.write(buf),
            PendingTo::Compare(comparer) => {
                comparer.feed(buf);
                Ok(buf.len())
            }
        }?;
        self.len += written;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.to {
            PendingTo::Memory(_) | PendingTo::Compare(_) => Ok(()),
            PendingTo::Disk(file) => file.flush(),
        }
    }
}

/// Files kept in memory (for `--check`, tests and the benchmark).
impl Sink for Vec<OutputFile> {
    fn put(&mut self, file: OutputFile) -> Result<()> {
        self.push(file);
        Ok(())
    }

    fn create(&mut self, name: &str) -> Result<Pending> {
        Ok(Pending::new(name, PendingTo::Memory(Vec::new())))
    }

    fn finish(&mut self, file: Pending) -> Result<()> {
        match file.to {
            PendingTo::Memory(bytes) => self.put(OutputFile { name: file.name, bytes }),
            _ => Err(Error::msg(format!("{} was started by another sink", file.name))),
        }
    }

    fn leftover(&mut self, _: &str) -> Result<()> {
        Ok(())
    }
}

/// Files staged as temporary files in the output directory as they are made,
/// so a batch's memory does not grow with its size, and moved into place
/// together by [`Staging::commit`]. Dropped without a commit, it removes every
/// temporary file (and the output directory, if it made it and it is empty):
/// a failed run changes nothing.
pub struct Staging {
    dir: PathBuf,
    made_dir: bool,
    staged: Vec<(tempfile::TempPath, PathBuf)>,
    leftovers: Vec<PathBuf>,
    /// Every temporary file this staging made, for [`forget`].
    temporaries: Vec<PathBuf>,
}

/// What a committed run changed in the output directory.
#[derive(Debug, Default)]
pub struct Committed {
    /// Files written, in order.
    pub written: Vec<PathBuf>,
    /// Files of an earlier run removed.
    pub removed: Vec<PathBuf>,
}

impl Staging {
    /// Stages into `dir`, creating it if needed.
    pub fn new(dir: &Path) -> Result<Staging> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::msg(format!("the output directory {} is a file, not a directory", dir.display())));
        }
        let made_dir = !dir.exists();
        {
            let mut live = lock(&LIVE);
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create output directory", dir, e))?;
            if made_dir {
                live.dirs.push(dir.to_owned());
            }
        }
        Ok(Staging {
            dir: dir.to_owned(),
            made_dir,
            staged: Vec::new(),
            leftovers: Vec::new(),
            temporaries: Vec::new(),
        })
    }

    /// Moves every staged file into place and removes the leftovers, all or
    /// nothing: if a rename fails, the files already renamed or removed are
    /// put back as they were.
    pub fn commit(mut self) -> Result<Committed> {
        let _committing = lock(&COMMITTING);
        for (_, target) in &self.staged {
            if target.is_dir() {
                return Err(Error::msg(format!("cannot write {}: a directory is in the way", target.display())));
            }
        }
        let staged = std::mem::take(&mut self.staged);
        // Move any old file aside before putting the new one in place, so a
        // failure part-way can restore every file as it was.
        let mut done: Vec<(PathBuf, Option<tempfile::TempPath>)> = Vec::with_capacity(staged.len());
        for (temp, target) in staged {
            let backup = match aside(&self.dir, &target) {
                Ok(backup) => backup,
                Err(e) => {
                    roll_back(done);
                    return Err(Error::io("write", &target, e));
                }
            };
            if let Err(e) = temp.persist(&target) {
                if let Some(backup) = backup {
                    let _ = backup.persist(&target);
                }
                roll_back(done);
                return Err(Error::io("write", &target, e.error));
            }
            done.push((target, backup));
        }
        let written: Vec<PathBuf> = done.iter().map(|(target, _)| target.clone()).collect();
        // Leftovers are moved aside like replaced files, so a failure restores them too.
        let mut removed = Vec::new();
        for target in std::mem::take(&mut self.leftovers) {
            match aside(&self.dir, &target) {
                Ok(backup) => {
                    removed.push(target.clone());
                    done.push((target, backup));
                }
                Err(e) => {
                    roll_back(done);
                    return Err(Error::io("remove", &target, e));
                }
            }
        }
        self.made_dir = false;
        lock(&LIVE).dirs.retain(|d| *d != self.dir);
        // Success: the backups (old versions) are deleted when dropped.
        drop(done);
        forget(&self.temporaries);
        Ok(Committed { written, removed })
    }
}

impl Sink for Staging {
    fn put(&mut self, file: OutputFile) -> Result<()> {
        let mut pending = self.create(&file.name)?;
        pending.write_all(&file.bytes).map_err(|e| Error::io("write", &self.dir.join(&file.name), e))?;
        self.finish(pending)
    }

    fn create(&mut self, name: &str) -> Result<Pending> {
        debug_assert!(!name.contains('/') && !name.contains('\\'));
        let temp = temporary(&self.dir, "").map_err(|e| Error::io("write into", &self.dir, e))?;
        self.temporaries.push(temp.path().to_owned());
        Ok(Pending::new(name, PendingTo::Disk(std::io::BufWriter::new(temp))))
    }

    fn finish(&mut self, file: Pending) -> Result<()> {
        let target = self.dir.join(&file.name);
        let PendingTo::Disk(writer) = file.to else {
            return Err(Error::msg(format!("{} was started by another sink", file.name)));
        };
        let temp = writer.into_inner().map_err(|e| Error::io("write", &target, e.into_error()))?;
        readable_by_all(temp.as_file()).map_err(|e| Error::io("write", &target, e))?;
        // On disk before it is renamed into place, so a crash cannot leave an empty PDF.
        temp.as_file().sync_all().map_err(|e| Error::io("write", &target, e))?;
        self.staged.push((temp.into_temp_path(), target));
        Ok(())
    }

    fn leftover(&mut self, name: &str) -> Result<()> {
        self.leftovers.push(self.dir.join(name));
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // The temporary files delete themselves; remove the directory we made.
        self.staged.clear();
        forget(&self.temporaries);
        if self.made_dir {
            let _ = std::fs::remove_dir(&self.dir);
            lock(&LIVE).dirs.retain(|d| *d != self.dir);
        }
    }
}

/// How a file made by `generate --check` compares with the one on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The file on disk has exactly these bytes.
    Same,
    /// The file on disk differs.
    Stale,
    /// There is no such file.
    Missing,
    /// A file an earlier run of the same config made, which this run would remove.
    Extra,
}

/// A sink that writes nothing: it compares each file, as it is made, with
/// the file of the same name in a directory (`generate --check`). A file is
/// read from disk a piece at a time alongside the new bytes, so checking a
/// batch takes no more memory than generating it.
pub struct Comparison {
    dir: PathBuf,
    /// Every file made, in order, with how it compared.
    pub verdicts: Vec<(PathBuf, Verdict)>,
}

impl Comparison {
    /// Compares with the files in `dir`.
    pub fn new(dir: &Path) -> Comparison {
        Comparison { dir: dir.to_owned(), verdicts: Vec::new() }
    }

    fn comparer(&self, name: &str) -> Comparer {
        let path = self.dir.join(name);
        let file = std::fs::File::open(&path).ok().filter(|_| path.is_file());
        let verdict = if file.is_some() { Verdict::Same } else { Verdict::Missing };
        Comparer { path, file: file.map(std::io::BufReader::new), verdict, buffer: Vec::new() }
    }
}

/// The comparison of one file with its twin on disk, fed a piece at a time.
struct Comparer {
    path: PathBuf,
    file: Option<std::io::BufReader<std::fs::File>>,
    verdict: Verdict,
    /// The bytes on disk that match the last piece fed, reused between pieces.
    buffer: Vec<u8>,
}

impl Comparer {
    fn feed(&mut self, bytes: &[u8]) {
        use std::io::Read as _;
        let Some(file) = self.file.as_mut() else { return };
        self.buffer.resize(bytes.len(), 0);
        if file.read_exact(&mut self.buffer).is_err() || self.buffer != bytes {
            self.verdict = Verdict::Stale;
            self.file = None;
        }
    }

    /// The verdict once every byte has been fed: the file on disk must also end here.
    fn finish(mut self) -> (PathBuf, Verdict) {
        use std::io::Read as _;
        if let Some(file) = self.file.as_mut() {
            let mut more = [0u8; 1];
            if !matches!(file.read(&mut more), Ok(0)) {
                self.verdict = Verdict::Stale;
            }
        }
        (self.path, self.verdict)
    }
}

impl Sink for Comparison {
    fn put(&mut self, file: OutputFile) -> Result<()> {
        let mut comparer = self.comparer(&file.name);
        comparer.feed(&file.bytes);
        self.verdicts.push(comparer.finish());
        Ok(())
    }

    fn create(&mut self, name: &str) -> Result<Pending> {
        Ok(Pending::new(name, PendingTo::Compare(self.comparer(name))))
    }

    fn finish(&mut self, file: Pending) -> Result<()> {
        let PendingTo::Compare(comparer) = file.to else {
            return Err(Error::msg(format!("{} was started by another sink", file.name)));
        };
        self.verdicts.push(comparer.finish());
        Ok(())
    }

    fn leftover(&mut self, name: &str) -> Result<()> {
        self.verdicts.push((self.dir.join(name), Verdict::Extra));
        Ok(())
    }
}

/// Writes all `files` into `dir`, all or nothing (see [`Staging`]).
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>> {
    let mut staging = Staging::new(dir)?;
    for file in files {
        staging.put(file.clone())?;
    }
    Ok(staging.commit()?.written)
}

/// Renames an existing `target` to a temporary name in `dir` (during a
/// commit, which a signal waits for: it need not be listed).
fn aside(dir: &Path, target: &Path) -> std::io::Result<Option<tempfile::TempPath>> {
    if !target.exists() {
        return Ok(None);
    }
    let placeholder = temporary(dir, "old-")?.into_temp_path();
    forget(&[placeholder.to_path_buf()]);
    std::fs::rename(target, &placeholder)?;
    Ok(Some(placeholder))
}

/// Undoes the renames of a failed [`write_all`]: new files removed, old ones restored.
fn roll_back(done: Vec<(PathBuf, Option<tempfile::TempPath>)>) {
    for (target, backup) in done.into_iter().rev() {
        let _ = std::fs::remove_file(&target);
        if let Some(backup) = backup {
            let _ = backup.persist(&target);
        }
    }
}

/// Temporary files are created private (0600); outputs are ordinary files.
#[cfg(unix)]
fn readable_by_all(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// How many characters of a name a file name keeps.
pub const NAME_CHARACTERS: usize = 60;

/// A file-name-safe version of `name`: letters and digits kept (any script),
/// everything else folded to single dashes, at most [`NAME_CHARACTERS`]
/// characters. `İ` (Turkish capital dotted I) is `i`: lower-cased it is `i`
/// and a combining dot, which would show as `i̇` in the file name.
pub fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c == '\u{130}' {
            out.push('i');
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= NAME_CHARACTERS {
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
        assert_eq!(sanitize("İlayda Yılmaz"), "ilayda-yılmaz");
        assert_eq!(sanitize("İSTANBUL"), "istanbul");
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

    #[test]
    fn a_failed_rename_restores_every_earlier_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"old a").unwrap();
        let files = vec![
            OutputFile { name: "a.txt".into(), bytes: b"new a".to_vec() },
            OutputFile { name: "b.txt".into(), bytes: b"new b".to_vec() },
        ];
        // A directory in the way of the second file stops the run before any rename.
        std::fs::create_dir(dir.path().join("b.txt")).unwrap();
        assert!(write_all(dir.path(), &files).is_err());
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"old a");
        let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt"], "no temporaries left");
        // The rollback itself: new files go, old ones come back.
        std::fs::write(dir.path().join("c.txt"), b"new c").unwrap();
        let old = tempfile::Builder::new().tempfile_in(dir.path()).unwrap();
        std::fs::write(old.path(), b"old c").unwrap();
        std::fs::write(dir.path().join("d.txt"), b"new d").unwrap();
        roll_back(vec![(dir.path().join("c.txt"), Some(old.into_temp_path())), (dir.path().join("d.txt"), None)]);
        assert_eq!(std::fs::read(dir.path().join("c.txt")).unwrap(), b"old c");
        assert!(!dir.path().join("d.txt").exists());
    }

    #[test]
    fn leftovers_go_with_the_commit_and_come_back_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.txt"), b"old").unwrap();
        let mut staging = Staging::new(dir.path()).unwrap();
        staging.put(OutputFile { name: "new.txt".into(), bytes: b"new".to_vec() }).unwrap();
        staging.leftover("old.txt").unwrap();
        assert!(dir.path().join("old.txt").exists(), "nothing removed before the commit");
        let committed = staging.commit().unwrap();
        assert_eq!(committed.removed, [dir.path().join("old.txt")]);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["new.txt"]);

        // A failed run removes nothing.
        std::fs::write(dir.path().join("old.txt"), b"old").unwrap();
        std::fs::create_dir(dir.path().join("blocked.txt")).unwrap();
        let mut staging = Staging::new(dir.path()).unwrap();
        staging.leftover("old.txt").unwrap();
        staging.put(OutputFile { name: "blocked.txt".into(), bytes: b"x".to_vec() }).unwrap();
        assert!(staging.commit().is_err());
        assert_eq!(std::fs::read(dir.path().join("old.txt")).unwrap(), b"old");
    }

    #[test]
    fn comparison_reads_each_file_alongside_the_new_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("same.txt"), b"abcdef").unwrap();
        std::fs::write(dir.path().join("longer.txt"), b"abcdefg").unwrap();
        std::fs::write(dir.path().join("shorter.txt"), b"abc").unwrap();
        std::fs::write(dir.path().join("other.txt"), b"abXdef").unwrap();
        let mut comparison = Comparison::new(dir.path());
        for name in ["same.txt", "longer.txt", "shorter.txt", "other.txt", "missing.txt"] {
            let mut pending = comparison.create(name).unwrap();
            pending.write_all(b"abc").unwrap();
            pending.write_all(b"def").unwrap();
            comparison.finish(pending).unwrap();
        }
        comparison.put(OutputFile { name: "same.txt".into(), bytes: b"abcdef".to_vec() }).unwrap();
        comparison.put(OutputFile { name: "other.txt".into(), bytes: b"abcdef".to_vec() }).unwrap();
        let verdicts: Vec<Verdict> = comparison.verdicts.iter().map(|(_, v)| *v).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Same, Stale, Stale, Stale, Missing, Same, Stale]);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 4, "a comparison writes nothing");
    }
}
