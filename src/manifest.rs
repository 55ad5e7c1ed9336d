//! Which run made the files of a config in an output directory, read back
//! from its manifest, so that a run replaces or removes another run's sheets
//! only when it is the same run again (the same config, the same kind of run
//! and the same seed) or when told to with `--replace`. A forgotten
//! `--roster` or `--seed`, or another class sent into the same directory,
//! would otherwise silently replace the keys of sheets already handed out.
//!
//! A batch's manifest records, in each entry's `run`, what makes its sheets
//! again: the config and the roster (relative to the output directory, so
//! the record survives moving the two together), the kind of run, the seed
//! and the command. A fixed config's run writes the same record alone, as
//! `STEM-run.json`, so that another config of the same file name (every
//! `init` starter is `worksheet.yaml`) is not taken for it. (Runs of
//! earlier versions wrote none: their `STEM-student.*` and `STEM-key.*` say
//! that they were there.)
//!
//! A recorded config or roster is the same file as the one named now when
//! both exist and resolve to one file, or, when the recorded path no longer
//! resolves (the folder was copied or moved), when their file names are the
//! same.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::generate::Formats;

/// How a run makes its sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One sheet for everyone: a fixed config, no `--roster`.
    Fixed,
    /// Numbered variants (`--variants N`).
    Variants,
    /// One sheet per student of `--roster`.
    Roster,
}

/// What a run is: enough to make its sheets again. Written in each entry of
/// a batch's manifest under `run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// The config file, relative to the output directory.
    pub config: String,
    /// How the sheets are made.
    pub kind: Kind,
    /// The seed of the draws.
    pub seed: u64,
    /// How many variants, for a run of numbered variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<u64>,
    /// The roster file, relative to the output directory, for a roster run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster: Option<String>,
    /// The command that makes the sheets again, run in the output directory.
    pub command: String,
}

/// What a run is asked to do, as the command line says it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The output directory.
    pub out: &'a Path,
    /// The config file.
    pub config: &'a Path,
    /// How the sheets are made.
    pub kind: Kind,
    /// The seed.
    pub seed: u64,
    /// `--variants N`.
    pub variants: Option<u64>,
    /// `--roster FILE`.
    pub roster: Option<&'a Path>,
    /// The one sheet of `--variant K` or `--student NAME`, if only one.
    pub single: Option<Single>,
    /// `--format`, as the command line gives it (`pdf,html`).
    pub formats: String,
}

/// The one sheet a run of a batch makes, when it makes only one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Single {
    /// `--variant K`.
    Variant(u64),
    /// `--student NAME`: the name as the roster writes it, and its sheet id
    /// (`zoë-o-brien`).
    Student { name: String, id: String },
}

impl Single {
    /// The flag that asks for this sheet.
    fn flag(&self) -> String {
        match self {
            Single::Variant(k) => format!("--variant {k}"),
            Single::Student { name, .. } => format!("--student {name:?}"),
        }
    }

    /// Whether the sheet ids `ids` of a manifest list this sheet.
    fn listed_in(&self, ids: &[String]) -> bool {
        match self {
            Single::Variant(k) => ids.iter().any(|id| id.strip_prefix('v').and_then(|n| n.parse().ok()) == Some(*k)),
            Single::Student { id, .. } => ids.contains(id),
        }
    }
}

impl Request<'_> {
    /// The run, as a manifest records it.
    pub fn run(&self) -> Run {
        let config = relative(self.config, self.out);
        let roster = self.roster.map(|r| relative(r, self.out));
        let mut command = format!("backprop-worksheet generate {} --out .", quoted(&config));
        if self.formats != "pdf" {
            command.push_str(&format!(" --format {}", self.formats));
        }
        match (self.kind, &roster) {
            (Kind::Roster, Some(roster)) => {
                command.push_str(&format!(" --roster {} --seed {}", quoted(roster), self.seed))
            }
            (Kind::Variants, _) => {
                command.push_str(&format!(" --variants {} --seed {}", self.variants.unwrap_or(1), self.seed))
            }
            _ => {}
        }
        Run {
            config,
            kind: self.kind,
            seed: self.seed,
            variants: (self.kind == Kind::Variants).then(|| self.variants.unwrap_or(1)),
            roster: roster.filter(|_| self.kind == Kind::Roster),
            command,
        }
    }

    /// How this run was asked for, in the command line's words.
    fn describe(&self) -> String {
        let mut flags = match (self.kind, self.variants) {
            (Kind::Fixed, _) => return "without --roster or --variants: one sheet for everyone".to_owned(),
            (Kind::Variants, Some(n)) => format!("--variants {n}"),
            // As typed: a randomized config alone makes one variant, v01.
            (Kind::Variants, None) => "without --variants, so one variant,".to_owned(),
            (Kind::Roster, _) => {
                format!("--roster {}", self.roster.map_or(String::new(), |r| r.display().to_string()))
            }
        };
        if let Some(single) = &self.single {
            flags.push_str(&format!(" {}", single.flag()));
        }
        format!("{flags} --seed {}", self.seed)
    }
}

/// The run that made the files of a config in an output directory.
#[derive(Debug, Clone)]
struct Earlier {
    kind: Kind,
    seed: Option<u64>,
    /// As its manifest records it (a manifest of an earlier version has no `run`).
    run: Option<Run>,
    /// Its sheet ids (`v01`, `zoë-o-brien`).
    ids: Vec<String>,
}

impl Earlier {
    /// The run that made the files of `stem` in `dir`, if any did.
    fn read(dir: &Path, stem: &str) -> Option<Earlier> {
        let Ok(bytes) = std::fs::read(dir.join(format!("{stem}-manifest.json"))) else {
            // A fixed config's run writes its record alone.
            if let Some(run) = std::fs::read(dir.join(run_record(stem)))
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Run>(&bytes).ok())
            {
                return Some(Earlier { kind: run.kind, seed: Some(run.seed), run: Some(run), ids: Vec::new() });
            }
            // A fixed config's run of an earlier version wrote its two sheets and nothing else.
            let fixed = files(dir).iter().any(|name| matches!(sheet_of(name, stem, &[]), Some(Sheet::Fixed)));
            return fixed.then_some(Earlier { kind: Kind::Fixed, seed: None, run: None, ids: Vec::new() });
        };
        let entries: Vec<serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
        let ids = entries.iter().filter_map(|e| e.get("id")?.as_str().map(str::to_owned)).collect();
        let first = entries.first();
        let run: Option<Run> = first.and_then(|e| serde_json::from_value(e.get("run")?.clone()).ok());
        let kind = match &run {
            Some(run) => run.kind,
            None if first.and_then(|e| e.get("student")).is_some_and(|s| s.is_string()) => Kind::Roster,
            None => Kind::Variants,
        };
        let seed = first.and_then(|e| e.get("seed")?.as_u64());
        Some(Earlier { kind, seed, run, ids })
    }

    /// How the earlier run was asked for, paths relative to the current directory.
    fn describe(&self, dir: &Path) -> String {
        let seed = self.seed.map_or(String::new(), |s| format!(" --seed {s}"));
        match (&self.kind, &self.run) {
            (Kind::Fixed, _) => "one sheet for everyone (no --roster or --variants)".to_owned(),
            (Kind::Variants, run) => {
                let n = run.as_ref().and_then(|r| r.variants).map_or(self.ids.len() as u64, |n| n);
                // A randomized config alone makes one variant: said so, as the teacher may have typed no flag.
                let alone = if n == 1 { " (or without --variants)" } else { "" };
                format!("--variants {n}{seed}{alone}")
            }
            (Kind::Roster, Some(Run { roster: Some(roster), .. })) => {
                format!("--roster {}{seed}", shown_recorded(dir, roster))
            }
            (Kind::Roster, _) => format!("--roster{seed}"),
        }
    }

    /// Why `request` is not this run again, if it is not.
    fn differs(&self, request: &Request) -> Option<String> {
        let dir = request.out;
        if let Some(run) = &self.run {
            if !same_recorded(dir, &run.config, request.config) {
                return Some(format!("from {}", shown_recorded(dir, &run.config)));
            }
        }
        if self.kind != request.kind {
            return Some(String::new());
        }
        if self.kind == Kind::Fixed {
            return None;
        }
        if self.seed.is_some_and(|seed| seed != request.seed) {
            return Some(String::new());
        }
        match (&self.run, request.roster) {
            (Some(Run { roster: Some(roster), .. }), Some(now)) if !same_recorded(dir, roster, now) => {
                Some(String::new())
            }
            _ => None,
        }
    }
}

/// Refuses `request` if the files of `stem` in its output directory were
/// made by another run (see the module's introduction), naming that run and
/// the files this one would replace or remove. `--replace` skips this.
pub fn refuse_another_run(request: &Request, stem: &str) -> Result<()> {
    let Some(earlier) = Earlier::read(request.out, stem) else { return Ok(()) };
    let Some(from) = earlier.differs(request) else { return refuse_unlisted(request, stem, &earlier) };
    let dir = request.out;
    let mut theirs: Vec<String> =
        files(dir).into_iter().filter(|name| sheet_of(name, stem, &earlier.ids).is_some()).collect();
    theirs.sort();
    let shown_files: Vec<String> = theirs.iter().take(5).map(|n| format!("  {}", shown(&dir.join(n)))).collect();
    let more = match theirs.len().saturating_sub(5) {
        0 => String::new(),
        n => format!("\n  … and {n} more"),
    };
    let how = match earlier.kind {
        Kind::Fixed => format!("as {}", earlier.describe(dir)),
        _ => format!("with {}", earlier.describe(dir)),
    };
    let made = match from.is_empty() {
        true => how,
        false => format!("{from} {how}"),
    };
    let keep = match from.is_empty() {
        true => "give this run another --out, or the same flags as theirs",
        false => "give this run another --out (or rename one of the two configs)",
    };
    let what = match (&request.single, theirs.len()) {
        (Some(_), _) => "would add a sheet that is not one of theirs, beside".to_owned(),
        (None, 1) => "would replace or remove their 1 file".to_owned(),
        (None, n) => format!("would replace or remove their {n} files"),
    };
    Err(Error::msg(format!(
        "{}/ holds the sheets of another run of {}: they were made {made}, and this run ({}) {what}:\n{}{more}\n\
         Nothing was written. To keep them, {keep}; to replace them, run it again with --replace.",
        shown(dir).trim_end_matches('/'),
        request.config.display(),
        request.describe(),
        shown_files.join("\n")
    )))
}

/// Refuses the one sheet `request` asks for when the run that made the
/// sheets in its output directory, which is this run, does not list it: a
/// reprint is a sheet of the manifest, and a new sheet is made by the whole
/// run again (which keeps every listed sheet's numbers, and records it).
fn refuse_unlisted(request: &Request, stem: &str, earlier: &Earlier) -> Result<()> {
    let Some(single) = &request.single else { return Ok(()) };
    if earlier.kind == Kind::Fixed || single.listed_in(&earlier.ids) {
        return Ok(());
    }
    let dir = request.out;
    let manifest = shown(&dir.join(format!("{stem}-manifest.json")));
    let (sheet, whole) = match single {
        Single::Variant(k) => (format!("variant {k}"), format!("--variants {k} --seed {}", request.seed)),
        Single::Student { name, .. } => (
            format!("a sheet for {name}"),
            format!(
                "--roster {} --seed {}",
                request.roster.map_or(String::new(), |r| quoted(&r.display().to_string())),
                request.seed
            ),
        ),
    };
    let listed = match earlier.ids.len() {
        1 => "1 sheet".to_owned(),
        n => format!("{n} sheets"),
    };
    Err(Error::msg(format!(
        "{manifest} lists {listed}, not {sheet}: {} reprints a sheet the run made, and this one would belong to \
         no run. Nothing was written. To add it, run the whole run again: `backprop-worksheet generate {} --out {} \
         {whole}`; every sheet already handed out keeps its numbers, and the manifest lists the new one.",
        single.flag(),
        quoted(&request.config.display().to_string()),
        quoted(&shown(dir)),
    )))
}

/// The file a fixed config's run records itself in.
pub fn run_record(stem: &str) -> String {
    format!("{stem}-run.json")
}

/// The sheet a file of the config `stem` belongs to, if the config's runs
/// own it: `ids` are the sheet ids of its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sheet {
    /// `STEM-student.*`, `STEM-key.*`: a fixed config's sheet.
    Fixed,
    /// `STEM-ID-student.*`, `STEM-ID-key.*`.
    Id(String),
    /// `STEM-class-student.pdf`, `STEM-class-key.pdf`.
    Packs,
    /// `STEM-manifest.json`, `STEM-manifest.csv`.
    Manifest,
}

/// The format (`pdf`, `typ`, `png`, `html`, `moodle`) a file name is written in, if a run writes it.
fn format_of(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    match ext {
        "xml" => Some("moodle"),
        ext => ["pdf", "typ", "png", "html"].into_iter().find(|f| *f == ext),
    }
}

/// Which sheet of the config `stem` the file `name` belongs to (see [`Sheet`]).
fn sheet_of(name: &str, stem: &str, ids: &[String]) -> Option<Sheet> {
    match pattern_of(name, stem)? {
        Sheet::Id(id) => ids.contains(&id).then_some(Sheet::Id(id)),
        other => Some(other),
    }
}

/// Which sheet of the config `stem` the file `name` is named as, whether
/// or not a manifest lists its id.
fn pattern_of(name: &str, stem: &str) -> Option<Sheet> {
    if name == format!("{stem}-manifest.json") || name == format!("{stem}-manifest.csv") || name == run_record(stem) {
        return Some(Sheet::Manifest);
    }
    let (base, ext) = name.rsplit_once('.')?;
    let base = match ext {
        "pdf" | "typ" | "html" | "xml" => base,
        // A page preview: `…-student-3.png`.
        "png" => match base.rsplit_once('-') {
            Some((base, page)) if !page.is_empty() && page.bytes().all(|b| b.is_ascii_digit()) => base,
            _ => return None,
        },
        _ => return None,
    };
    let body = match ext {
        "xml" => base.strip_suffix("-moodle")?,
        _ => base.strip_suffix("-student").or_else(|| base.strip_suffix("-key"))?,
    };
    if body == stem {
        return Some(Sheet::Fixed);
    }
    match body.strip_prefix(stem)?.strip_prefix('-')? {
        "class" => (ext == "pdf").then_some(Sheet::Packs),
        id => Some(Sheet::Id(id.to_owned())),
    }
}

/// The files in `dir` named as sheets of the config `stem` that no run
/// owns: their id is not in the config's manifest, nor are they a sheet of
/// another config whose record is in `dir` (`classic-de-student.pdf` is
/// `classic-de`'s, not a sheet `de` of `classic`). A sheet made alone by an
/// older version, or a file copied in: no run removes them, so they are
/// reported.
pub fn unowned(dir: &Path, stem: &str) -> Vec<String> {
    let ids = Earlier::read(dir, stem).map(|e| e.ids).unwrap_or_default();
    let names = files(dir);
    let others: Vec<(String, Vec<String>)> = names
        .iter()
        .filter_map(|name| name.strip_suffix("-manifest.json").or_else(|| name.strip_suffix("-run.json")))
        .filter(|other| *other != stem)
        .map(|other| (other.to_owned(), Earlier::read(dir, other).map(|e| e.ids).unwrap_or_default()))
        .collect();
    let mut found: Vec<String> = names
        .into_iter()
        .filter(|name| matches!(pattern_of(name, stem), Some(Sheet::Id(id)) if !ids.contains(&id)))
        .filter(|name| !others.iter().any(|(other, ids)| sheet_of(name, other, ids).is_some()))
        .collect();
    found.sort();
    found
}

/// The files an earlier run of the config `stem` left in `dir` that a whole
/// run making `produced` (in the `formats` it writes) does not make again.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// To remove: files of sheets this run does not make (in every format),
    /// and files in a format this run writes (page previews past the last page).
    pub remove: Vec<String>,
    /// To keep, and to tell of: files of this run's sheets in a format it does
    /// not write, which may show an earlier version of them.
    pub kept: Vec<String>,
}

/// The leftovers of the config `stem` in `dir` (see [`Leftovers`]). The run
/// owns `STEM-student.*` and `STEM-key.*` (with their `-N.png` page
/// previews) and `STEM-moodle.xml`, `STEM-ID-student.*`, `STEM-ID-key.*` and
/// `STEM-ID-moodle.xml` for each sheet id
/// listed in the `STEM-manifest.json` already in `dir`, the class packs and
/// the manifests. Nothing else is touched: a file of another config, or one
/// a teacher put there, never matches (ids come from the manifest, not from
/// guessing).
pub fn leftovers(dir: &Path, stem: &str, formats: Formats, produced: &std::collections::HashSet<String>) -> Leftovers {
    let ids = Earlier::read(dir, stem).map(|e| e.ids).unwrap_or_default();
    let made: Vec<Sheet> = produced.iter().filter_map(|name| sheet_of(name, stem, &all_ids(produced, stem))).collect();
    let written = |format: &str| match format {
        "pdf" => formats.pdf,
        "typ" => formats.typ,
        "png" => formats.png,
        "html" => formats.html,
        "moodle" => formats.moodle,
        _ => false,
    };
    let mut out = Leftovers::default();
    let mut names = files(dir);
    names.sort();
    for name in names.into_iter().filter(|n| !produced.contains(n)) {
        let Some(sheet) = sheet_of(&name, stem, &ids) else { continue };
        let format = format_of(&name);
        if !made.contains(&sheet) || format.is_none_or(written) {
            out.remove.push(name);
        } else {
            out.kept.push(name);
        }
    }
    out
}

/// The sheet ids among the file names `produced` of the config `stem`.
fn all_ids(produced: &std::collections::HashSet<String>, stem: &str) -> Vec<String> {
    produced
        .iter()
        .filter_map(|name| {
            let (base, _) = name.rsplit_once('.')?;
            let base = base.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end_matches('-');
            let body = (base.strip_suffix("-student").or_else(|| base.strip_suffix("-key")))
                .or_else(|| base.strip_suffix("-moodle"))?;
            let id = body.strip_prefix(stem)?.strip_prefix('-')?;
            (id != "class").then(|| id.to_owned())
        })
        .collect()
}

/// What `kept` leftovers are, for a warning: "3 self-check pages and 12 page previews".
pub fn describe_kept(kept: &[String]) -> String {
    let count = |ext: &str| kept.iter().filter(|n| n.ends_with(ext)).count();
    let kinds = [
        (count(".pdf"), "PDF", "PDFs", "pdf"),
        (count(".typ"), "Typst source", "Typst sources", "typ"),
        (count(".png"), "page preview", "page previews", "png"),
        (count(".html"), "self-check page", "self-check pages", "html"),
        (count(".xml"), "Moodle file", "Moodle files", "moodle"),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many, _)| if *n == 1 { format!("1 {one}") } else { format!("{n} {many}") })
        .collect();
    let formats: Vec<&str> = kinds.iter().filter(|(n, ..)| *n > 0).map(|(.., f)| *f).collect();
    let list = match parts.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    format!("{list} (--format {})", formats.join(","))
}

/// The names of the files in `dir`.
fn files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect()
}

/// Whether the file `recorded` (relative to the output directory `dir`) is
/// `now`: the same file when it still resolves, the same file name when it
/// does not (the folder was copied or moved, and the path points nowhere).
fn same_recorded(dir: &Path, recorded: &str, now: &Path) -> bool {
    let then = dir.join(recorded);
    match then.exists() {
        true => same_file(&then, now),
        false => then.file_name().is_some_and(|name| Some(name) == now.file_name()),
    }
}

/// The recorded file `recorded` (relative to the output directory `dir`) as
/// a message names it: its path when it exists, its file name alone when
/// the path no longer resolves.
fn shown_recorded(dir: &Path, recorded: &str) -> String {
    let then = dir.join(recorded);
    match then.exists() {
        true => shown(&then),
        false => then.file_name().map_or(recorded.to_owned(), |n| n.to_string_lossy().into_owned()),
    }
}

/// Whether `a` and `b` name the same file (both existing), or the same path.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => lexical(&absolute(a)) == lexical(&absolute(b)),
    }
}

/// `path` made absolute: its longest existing ancestor resolved, the rest appended.
fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_owned())
    };
    let mut existing = base.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return lexical(&base),
        }
    }
}

/// `path` with `.` and `..` resolved as text.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to the directory `base`, with `/` between its parts
/// (`../configs/randomized.yaml`), so a manifest reads the same on every
/// system; or absolute, when the two share no directory below the root.
pub fn relative(path: &Path, base: &Path) -> String {
    let (path, base) = (absolute(path), absolute(base));
    let (full, path, base): (String, Vec<Component>, Vec<Component>) =
        (path.display().to_string(), path.components().collect(), base.components().collect());
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let root = path.iter().take_while(|c| matches!(c, Component::Prefix(_) | Component::RootDir)).count();
    if common <= root && base.len() > root {
        return full;
    }
    let ups = std::iter::repeat_n("..".to_owned(), base.len() - common);
    let downs = path[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let parts: Vec<String> = ups.chain(downs).collect();
    match parts.is_empty() {
        true => ".".to_owned(),
        false => parts.join("/"),
    }
}

/// `path` as a teacher typing commands here would write it: relative to the
/// current directory when it is inside it, as given otherwise.
fn shown(path: &Path) -> String {
    let Ok(here) = std::env::current_dir() else { return path.display().to_string() };
    let relative = relative(path, &here);
    match relative.starts_with("../") || relative == ".." {
        true => lexical(&absolute(path)).display().to_string(),
        false => relative,
    }
}

/// `text` as one shell word.
fn quoted(text: &str) -> String {
    match text.chars().all(|c| c.is_alphanumeric() || "-_./".contains(c)) {
        true => text.to_owned(),
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recorded_relative_to_the_output_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("configs")).unwrap();
        assert_eq!(relative(&root.join("configs/a.yaml"), &root.join("out")), "../configs/a.yaml");
        assert_eq!(relative(&root.join("out/x/../a.yaml"), &root.join("out")), "a.yaml");
        assert_eq!(relative(&root.join("out"), &root.join("out")), ".");
        assert!(same_file(&root.join("configs/../configs/a.yaml"), &root.join("configs/a.yaml")));
        assert_eq!(quoted("../11 b.csv"), "'../11 b.csv'");
    }

    #[test]
    fn files_belong_to_their_sheet() {
        let ids = vec!["v01".to_owned(), "zoë-o-brien".to_owned()];
        assert_eq!(sheet_of("c-v01-key.pdf", "c", &ids), Some(Sheet::Id("v01".into())));
        assert_eq!(sheet_of("c-zoë-o-brien-student-3.png", "c", &ids), Some(Sheet::Id("zoë-o-brien".into())));
        assert_eq!(sheet_of("c-student.html", "c", &ids), Some(Sheet::Fixed));
        assert_eq!(sheet_of("c-class-key.pdf", "c", &ids), Some(Sheet::Packs));
        assert_eq!(sheet_of("c-manifest.csv", "c", &ids), Some(Sheet::Manifest));
        assert_eq!(sheet_of("c-run.json", "c", &ids), Some(Sheet::Manifest));
        assert_eq!(pattern_of("c-v02-key.pdf", "c"), Some(Sheet::Id("v02".into())));
        for other in ["c-v02-key.pdf", "d-v01-key.pdf", "c-student-page.png", "c-v01-notes.pdf", "c-class-key.html"] {
            assert_eq!(sheet_of(other, "c", &ids), None, "{other}");
        }
    }
}
