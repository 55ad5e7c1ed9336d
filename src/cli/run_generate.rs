//! `generate` and `watch`: every file of every config, staged and written
//! together (or compared with what is on disk for `--check`), a batch's
//! progress and summary line, and the files an earlier run left.

use std::io::Write as _;
use std::path::PathBuf;

use super::{formats, load_templates, plural, print, progress_bar, warn, GenerateArgs};
use crate::batch;
use crate::config;
use crate::error::{Error, Result};
use crate::generate;
use crate::manifest::{self, Kind};
use crate::output::{self, Sink as _};
use crate::render::{SheetLabel, Templates};
use crate::roster::Roster;

/// What `generate` made for one config.
struct Made {
    /// The config, as named on the command line.
    config: PathBuf,
    /// Sheets of a whole batch, or `None` for a single sheet (a fixed config,
    /// `--variant K` or `--student NAME`).
    batch: Option<usize>,
    /// The file names, in order.
    files: Vec<String>,
}

/// A sink that remembers which config made each file, so two configs can
/// never write the same file.
struct Recorder<'a> {
    inner: &'a mut dyn output::Sink,
    dir: PathBuf,
    owners: std::collections::HashMap<String, PathBuf>,
    made: Vec<Made>,
    /// Moodle files larger than a site with PHP's default upload limit takes,
    /// with their sizes in bytes.
    large_quizzes: Vec<(String, usize)>,
}

/// PHP's default upload limit (`upload_max_filesize = 2M`), which many
/// Moodle sites keep.
const MOODLE_UPLOAD_LIMIT: usize = 2 * 1024 * 1024;

/// The warning for a Moodle file of `bytes` bytes at `path`, over
/// [`MOODLE_UPLOAD_LIMIT`], with what to do (as the README's "In Moodle" says).
fn large_quiz_warning(path: &std::path::Path, bytes: usize) -> String {
    // Tenths of a megabyte, rounded up, so a file just over the limit never reads as 2.0 MB.
    let tenths = (bytes * 10).div_ceil(1024 * 1024);
    format!(
        "{} is {}.{} MB, more than the 2 MB a Moodle site with PHP's default upload limit takes (about 20 \
         sheets): for a random question, about 20 variants are plenty (--variants 20); split a larger roster \
         into a roster file per group, each run with its own --out; or ask the site's administrator to raise \
         the upload limit",
        path.display(),
        tenths / 10,
        tenths % 10
    )
}

impl Recorder<'_> {
    /// Notes a Moodle file over [`MOODLE_UPLOAD_LIMIT`].
    fn note_size(&mut self, name: &str, bytes: usize) {
        if name.ends_with("-moodle.xml") && bytes > MOODLE_UPLOAD_LIMIT {
            self.large_quizzes.push((name.to_owned(), bytes));
        }
    }

    fn claim(&mut self, name: &str) -> Result<()> {
        let made = self.made.last_mut().expect("a config is being built");
        if let Some(other) = self.owners.insert(name.to_owned(), made.config.clone()) {
            if other == made.config {
                // Only a roster name can do this: "Class" is the class packs' name.
                return Err(Error::msg(format!(
                    "{} would write {} twice: a roster name gives the file name of the class packs; add a letter \
                     to that name. Nothing was written.",
                    made.config.display(),
                    self.dir.join(name).display()
                )));
            }
            return Err(Error::msg(format!(
                "{} and {} would both write {}; give each config its own --out (run generate once per config) or \
                 rename one of them. Nothing was written.",
                other.display(),
                made.config.display(),
                self.dir.join(name).display()
            )));
        }
        made.files.push(name.to_owned());
        Ok(())
    }
}

impl output::Sink for Recorder<'_> {
    fn put(&mut self, file: output::OutputFile) -> Result<()> {
        self.claim(&file.name)?;
        self.note_size(&file.name, file.bytes.len());
        self.inner.put(file)
    }

    fn create(&mut self, name: &str) -> Result<output::Pending> {
        self.claim(name)?;
        self.inner.create(name)
    }

    fn finish(&mut self, file: output::Pending) -> Result<()> {
        self.note_size(file.name(), file.len());
        self.inner.finish(file)
    }

    fn leftover(&mut self, name: &str) -> Result<()> {
        self.inner.leftover(name)
    }
}

/// Makes every file `generate` writes, into `sink`, and notes the files of
/// earlier runs that this run replaces with nothing (see
/// [`manifest::leftovers`]); adds what the user should know to `warnings`.
/// A run that would replace another run's sheets is refused first, unless
/// `--replace` (see [`manifest::refuse_another_run`]).
fn build(args: &GenerateArgs, sink: &mut dyn output::Sink, warnings: &mut Vec<String>) -> Result<Vec<Made>> {
    refuse_clashes(args)?;
    // Even markup alone needs the fonts: the tables' text widths are read from them.
    generate::warm_up();
    let templates = load_templates(args.templates.as_deref())?;
    let formats = formats(&args.format);
    let roster = args.roster.as_deref().map(Roster::read).transpose()?;
    warnings.extend(roster.iter().flat_map(|r| r.warnings.iter().cloned()));
    if let (Some(n), Some(k)) = (args.variants, args.draw.variant) {
        if k > n {
            let of = match n {
                1 => "the 1 variant".to_owned(),
                n => format!("the {n} variants"),
            };
            return Err(Error::Usage(format!("--variant {k} is not one of {of} of --variants {n}")));
        }
    }
    let only = match (&roster, &args.student) {
        (Some(roster), Some(name)) => Some(roster.place(name)?.0),
        _ => args.draw.variant,
    };
    let single = match (&roster, &args.student, args.draw.variant) {
        (Some(roster), Some(name), _) => {
            let student = roster.find(name)?;
            Some(manifest::Single::Student { name: student.name.clone(), id: output::sanitize(&student.key) })
        }
        (_, _, Some(k)) => Some(manifest::Single::Variant(k)),
        _ => None,
    };
    let format_names: Vec<String> = args
        .format
        .iter()
        .filter_map(|f| clap::ValueEnum::to_possible_value(f).map(|v| v.get_name().to_owned()))
        .collect();
    // Every config loaded, and every run checked against the sheets in
    // --out, before any is typeset.
    let mut runs = Vec::new();
    for path in &args.configs {
        let spec = config::load(path)?;
        let language = &spec.presentation.language;
        if args.templates.is_none() && !Templates::is_built_in(language) {
            warnings.push(format!(
                "{}: there are no built-in templates in `language: {language}`, so the sheet's words are \
                 English (read aloud and hyphenated as {language}): give templates in that language with \
                 --templates DIR (see README, \"Languages\"), or write `language: en`",
                spec.file
            ));
        }
        let batch = spec.is_randomized() || args.variants.is_some() || roster.is_some() || only.is_some();
        let kind = match (&roster, batch) {
            (Some(_), _) => Kind::Roster,
            (None, true) => Kind::Variants,
            (None, false) => Kind::Fixed,
        };
        let request = manifest::Request {
            out: &args.out,
            config: path,
            kind,
            seed: args.draw.seed,
            variants: args.variants,
            roster: args.roster.as_deref(),
            single: single.clone(),
            formats: format_names.join(","),
        };
        if !args.replace && !args.check {
            manifest::refuse_another_run(&request, &spec.stem)?;
        }
        let run = request.run();
        runs.push((path, spec, batch, run));
    }
    let mut recorder = Recorder {
        inner: sink,
        dir: args.out.clone(),
        owners: Default::default(),
        made: Vec::new(),
        large_quizzes: Vec::new(),
    };
    let mut stems_to_clean = Vec::new();
    for (path, spec, batch, run) in runs {
        recorder.made.push(Made { config: path.clone(), batch: None, files: Vec::new() });
        if batch {
            let request = batch::Request {
                seed: args.draw.seed,
                count: args.variants.unwrap_or(1),
                only,
                roster: roster.as_ref().map(Roster::names),
                simplex: args.simplex,
                run: Some(run),
            };
            let total =
                roster.as_ref().map_or(request.count.max(request.only.unwrap_or(0)), |r| r.students.len() as u64);
            let total = if request.only.is_some() { 1 } else { total };
            let bar = progress_bar(total, args.quiet, &spec.stem);
            let found = batch::files(&spec, &templates, &request, formats, &|| bar.inc(1), &mut recorder)?;
            bar.finish_and_clear();
            warnings.extend(found);
            if only.is_none() {
                recorder.made.last_mut().expect("pushed above").batch = Some(total as usize);
            }
        } else {
            let solved = generate::solve_fixed(&spec, &templates)?;
            warnings.extend(solved.rounded_warning(&spec.file, &templates)?);
            for file in
                generate::sheet_files(&templates, &solved, &spec.stem, &spec.stem, &SheetLabel::default(), formats)?
            {
                recorder.put(file)?;
            }
            // What made these files, so another config of the same name is not taken for this one.
            let mut record = serde_json::to_vec_pretty(&run).map_err(|e| Error::msg(format!("run record: {e}")))?;
            record.push(b'\n');
            recorder.put(output::OutputFile { name: manifest::run_record(&spec.stem), bytes: record })?;
        }
        // A single sheet of a batch is added to the files there; a whole
        // run replaces all of them.
        if only.is_none() {
            stems_to_clean.push(spec.stem.clone());
        }
    }
    for (name, bytes) in &recorder.large_quizzes {
        warnings.push(large_quiz_warning(&args.out.join(name), *bytes));
    }
    let produced: std::collections::HashSet<String> = recorder.owners.keys().cloned().collect();
    for stem in stems_to_clean {
        let leftovers = manifest::leftovers(&args.out, &stem, formats, &produced);
        for name in &leftovers.remove {
            recorder.leftover(name)?;
        }
        let unowned = manifest::unowned(&args.out, &stem);
        if !unowned.is_empty() {
            let shown: Vec<String> = unowned.iter().take(4).map(|n| args.out.join(n).display().to_string()).collect();
            let more = if unowned.len() > 4 { format!(" and {} more", unowned.len() - 4) } else { String::new() };
            warnings.push(format!(
                "{} holds {} named like sheets of {stem} that no run owns (its manifest does not list them): \
                 {}{more}; no run updates or removes them, so they may not match the sheets handed out: delete \
                 them, or run the whole run that should make them",
                args.out.display(),
                plural(unowned.len(), "file"),
                shown.join(", ")
            ));
        }
        if !leftovers.kept.is_empty() {
            warnings.push(format!(
                "{} also holds {} of {stem} from an earlier run; this run did not make them again, so they may \
                 not match its sheets: add their formats to --format to remake them, or delete them",
                args.out.display(),
                manifest::describe_kept(&leftovers.kept)
            ));
        }
    }
    // A run that was killed (not interrupted: that cleans up) left these.
    for name in output::dead_temporaries(&args.out) {
        recorder.leftover(&name)?;
    }
    Ok(recorder.made)
}

/// Two configs with the same file name would write the same files: refused
/// before any work.
fn refuse_clashes(args: &GenerateArgs) -> Result<()> {
    // Two configs with the same file name would write the same files.
    let mut stems: Vec<(String, &PathBuf)> = Vec::new();
    for path in &args.configs {
        let stem = config::stem_of(path);
        if let Some((_, other)) = stems.iter().find(|(s, _)| *s == stem) {
            return Err(Error::msg(format!(
                "{} and {} would both write {}-student.pdf, {}-key.pdf, … in {}; give each config its own --out \
                 (run generate once per config) or rename one of them. Nothing was written.",
                other.display(),
                path.display(),
                stem,
                stem,
                args.out.display()
            )));
        }
        stems.push((stem, path));
    }
    Ok(())
}

/// Builds and writes every file, all or nothing; adds what the user should
/// know to `warnings`.
fn write(args: &GenerateArgs, warnings: &mut Vec<String>) -> Result<(Vec<Made>, output::Committed)> {
    let mut staging = output::Staging::new(&args.out)?;
    let made = build(args, &mut staging, warnings)?;
    Ok((made, staging.commit()?))
}

pub(super) fn generate(args: &GenerateArgs) -> Result<()> {
    let mut warnings = Vec::new();
    if args.check {
        let mut comparison = output::Comparison::new(&args.out);
        let built = build(args, &mut comparison, &mut warnings);
        warnings.iter().for_each(|w| warn(w));
        built?;
        return report_comparison(&args.out, &comparison, args.quiet);
    }
    // Every file of every config is staged first and moved into place
    // together: a failure anywhere leaves the output directory as it was.
    let written = write(args, &mut warnings);
    warnings.iter().for_each(|w| warn(w));
    let (made, committed) = written?;
    if !args.quiet {
        print(&describe_run(&args.out, &made, &committed.removed))?;
    }
    Ok(())
}

/// What a run did, for the terminal: a line per file of a single sheet, one
/// line per batch.
fn describe_run(dir: &std::path::Path, made: &[Made], removed: &[PathBuf]) -> String {
    let mut out = String::new();
    for m in made {
        match m.batch {
            Some(sheets) => {
                out.push_str(&format!(
                    "wrote {} of {} into {}: {}{}\n",
                    plural(m.files.len(), "file"),
                    m.config.display(),
                    dir.display(),
                    plural(sheets, "sheet"),
                    if m.files.iter().any(|f| f.ends_with("-manifest.json"))
                        && m.files.iter().any(|f| f.contains("-class-"))
                    {
                        ", class packs, manifests"
                    } else {
                        ", manifests"
                    }
                ));
            }
            None => m.files.iter().for_each(|f| out.push_str(&format!("wrote {}\n", dir.join(f).display()))),
        }
    }
    let names: Vec<String> =
        removed.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let (temporary, earlier): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|name| name.starts_with(".backprop-worksheet-"));
    if !earlier.is_empty() {
        let shown = if earlier.len() > 4 { format!("{}, …", earlier[..3].join(", ")) } else { earlier.join(", ") };
        out.push_str(&format!(
            "removed {} an earlier run made that this run does not: {shown}\n",
            plural(earlier.len(), "file")
        ));
    }
    if !temporary.is_empty() {
        out.push_str(&format!(
            "removed {} that a run which was stopped left in {}\n",
            plural(temporary.len(), "temporary file"),
            dir.display()
        ));
    }
    out
}

/// `generate --check`: every file must exist in `dir` with exactly the bytes
/// the configs and templates produce now.
fn report_comparison(dir: &std::path::Path, comparison: &output::Comparison, quiet: bool) -> Result<()> {
    let stale: Vec<String> = comparison
        .verdicts
        .iter()
        .filter_map(|(path, verdict)| match verdict {
            output::Verdict::Same => None,
            output::Verdict::Stale => Some(format!("  stale:   {}", path.display())),
            output::Verdict::Missing => Some(format!("  missing: {}", path.display())),
            output::Verdict::Extra if is_temporary(path) => Some(format!(
                "  extra:   {} (a temporary file a run that was stopped left; this one would remove it)",
                path.display()
            )),
            output::Verdict::Extra => {
                Some(format!("  extra:   {} (an earlier run made it; this one would remove it)", path.display()))
            }
        })
        .collect();
    let extra = comparison.verdicts.iter().filter(|(_, v)| *v == output::Verdict::Extra).count();
    let total = comparison.verdicts.len() - extra;
    if stale.is_empty() {
        return match quiet {
            true => Ok(()),
            false => print(&format!("up to date: {} in {}\n", plural(total, "file"), dir.display())),
        };
    }
    let mut summary = Vec::new();
    if stale.len() > extra {
        let differ = stale.len() - extra;
        summary.push(format!(
            "{differ} of {} in {} {} not what the configs and templates produce now",
            plural(total, "file"),
            dir.display(),
            if differ == 1 { "is" } else { "are" }
        ));
    }
    if extra > 0 {
        let is = if extra == 1 { "is" } else { "are" };
        summary.push(format!("{} {is} left in {} from an earlier run", plural(extra, "file"), dir.display()));
    }
    Err(Error::msg(format!(
        "{}; run the same command without --check to bring {} up to date:\n{}",
        summary.join(", and "),
        dir.display(),
        stale.join("\n")
    )))
}

/// The config and template files `watch` follows, with their modification times.
fn snapshot(args: &GenerateArgs) -> Vec<(PathBuf, Option<std::time::SystemTime>)> {
    let mut paths: Vec<PathBuf> = args.configs.clone();
    paths.extend(args.roster.clone());
    if let Some(dir) = &args.templates {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            found.sort();
            paths.extend(found);
        }
    }
    paths.into_iter().map(|p| (p.clone(), std::fs::metadata(&p).and_then(|m| m.modified()).ok())).collect()
}

pub(super) fn watch(args: &GenerateArgs) -> Result<()> {
    if args.check {
        return Err(Error::msg("watch writes files; --check does not apply"));
    }
    // A file that is not there now is a typo, not a file still to be saved.
    for path in args.configs.iter().chain(&args.roster) {
        if !path.is_file() {
            return Err(Error::msg(format!("{}: no such file; watch follows files that exist", path.display())));
        }
    }
    if let Some(dir) = &args.templates {
        crate::render::template_dir(dir)?;
    }
    let mut seen = Vec::new();
    // What the last run said: with --quiet only what changed is said again.
    let mut said: Vec<String> = Vec::new();
    // What the roster's reading said (its encoding, names the fonts lack):
    // about the file, not the build, so said once in a session.
    let roster_says = args.roster.as_ref().map(|r| format!("warning: {}", r.display()));
    let mut told: std::collections::HashSet<String> = std::collections::HashSet::new();
    loop {
        let now = snapshot(args);
        if now != seen {
            seen = now;
            let started = std::time::Instant::now();
            // Errors are shown, not fatal: fix the file and save again.
            let mut warnings = Vec::new();
            let written = write(args, &mut warnings);
            let mut says: Vec<String> = warnings.iter().map(|w| format!("warning: {w}")).collect();
            if let Err(error) = &written {
                says.push(format!("error: {error}"));
            }
            for line in says.iter().filter(|line| !args.quiet || !said.contains(line)) {
                let about_roster = roster_says.as_ref().is_some_and(|r| line.starts_with(r.as_str()));
                if about_roster && !told.insert(line.clone()) {
                    continue;
                }
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            said = says;
            match written {
                Ok((_, committed)) if !args.quiet => {
                    let _ = writeln!(
                        std::io::stdout(),
                        "regenerated {} in {} ms; watching for changes (Ctrl-C to stop)",
                        plural(committed.written.len(), "file"),
                        started.elapsed().as_millis()
                    );
                }
                Err(_) if !args.quiet => {
                    let _ = writeln!(std::io::stderr(), "watching for changes (Ctrl-C to stop)");
                }
                _ => {}
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// Whether `path` is a temporary file of this tool.
fn is_temporary(path: &std::path::Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".backprop-worksheet-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moodle_file_over_2_mb_is_warned_of_with_what_to_do() {
        let warning = large_quiz_warning(std::path::Path::new("class/c-moodle.xml"), MOODLE_UPLOAD_LIMIT + 1);
        assert!(warning.starts_with("class/c-moodle.xml is 2.1 MB, more than the 2 MB"), "{warning}");
        assert!(warning.contains("--variants 20") && warning.contains("roster file per group"), "{warning}");
        assert!(large_quiz_warning(std::path::Path::new("q.xml"), 3_212_885).contains("is 3.1 MB"));
    }
}
