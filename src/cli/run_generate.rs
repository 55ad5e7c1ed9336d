//! `generate` and `watch`: every file of every config, staged and written
//! together (or compared with what is on disk for `--check`), a batch's
//! progress and summary line, and the files an earlier run left.

use std::io::Write as _;
use std::path::PathBuf;

use super::{formats, load_templates, print, progress_bar, read_roster, warn, GenerateArgs};
use crate::batch;
use crate::config;
use crate::error::{Error, Result};
use crate::generate;
use crate::output::{self, Sink as _};
use crate::render::SheetLabel;
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
}

impl Recorder<'_> {
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
        self.inner.put(file)
    }

    fn create(&mut self, name: &str) -> Result<output::Pending> {
        self.claim(name)?;
        self.inner.create(name)
    }

    fn finish(&mut self, file: output::Pending) -> Result<()> {
        self.inner.finish(file)
    }

    fn leftover(&mut self, name: &str) -> Result<()> {
        self.inner.leftover(name)
    }
}

/// Makes every file `generate` writes, into `sink`, and notes the files of
/// earlier runs that this run replaces with nothing (see [`batch::leftovers`]).
fn build(args: &GenerateArgs, sink: &mut dyn output::Sink) -> Result<Vec<Made>> {
    refuse_clashes(args)?;
    let templates = load_templates(args.templates.as_deref())?;
    let formats = formats(&args.format);
    let roster = args.roster.as_deref().map(read_roster).transpose()?;
    if let (Some(n), Some(k)) = (args.variants, args.draw.variant) {
        if k > n {
            return Err(Error::msg(format!("--variant {k} is not one of the {n} variants of --variants {n}")));
        }
    }
    let only = match (&roster, &args.student) {
        (Some(roster), Some(name)) => Some(roster.place(name)?.0),
        _ => args.draw.variant,
    };
    let mut recorder = Recorder { inner: sink, dir: args.out.clone(), owners: Default::default(), made: Vec::new() };
    let mut stems_to_clean = Vec::new();
    for path in &args.configs {
        let spec = config::load(path)?;
        let batch = spec.is_randomized() || args.variants.is_some() || roster.is_some() || only.is_some();
        recorder.made.push(Made { config: path.clone(), batch: None, files: Vec::new() });
        if batch {
            let request = batch::Request {
                seed: args.draw.seed,
                count: args.variants.unwrap_or(1),
                only,
                roster: roster.as_ref().map(Roster::names),
                simplex: args.simplex,
            };
            let total =
                roster.as_ref().map_or(request.count.max(request.only.unwrap_or(0)), |r| r.students.len() as u64);
            let total = if request.only.is_some() { 1 } else { total };
            let bar = progress_bar(total, args.quiet, &spec.stem);
            let warning = batch::files(&spec, &templates, &request, formats, &|| bar.inc(1), &mut recorder)?;
            bar.finish_and_clear();
            if let Some(warning) = warning {
                warn(&warning);
            }
            if only.is_none() {
                recorder.made.last_mut().expect("pushed above").batch = Some(total as usize);
            }
        } else {
            let solved = generate::solve_fixed(&spec, &templates)?;
            if let Some(warning) = solved.answers.rounded_warning(&spec.file) {
                warn(&warning);
            }
            for file in
                generate::sheet_files(&templates, &solved, &spec.stem, &spec.stem, &SheetLabel::default(), formats)?
            {
                recorder.put(file)?;
            }
        }
        // A single sheet of a batch is added to the files there; a whole
        // run replaces all of them.
        if only.is_none() {
            stems_to_clean.push(spec.stem.clone());
        }
    }
    let produced: std::collections::HashSet<String> = recorder.owners.keys().cloned().collect();
    for stem in stems_to_clean {
        for name in batch::leftovers(&args.out, &stem, formats, &produced) {
            recorder.leftover(&name)?;
        }
    }
    Ok(recorder.made)
}

/// Two configs with the same file name would write the same files: refused
/// before any work.
fn refuse_clashes(args: &GenerateArgs) -> Result<()> {
    // Two configs with the same file name would write the same files.
    let mut stems: Vec<(String, &PathBuf)> = Vec::new();
    for path in &args.configs {
        let stem = output_stem(path);
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

/// The stem of a config's output files, as `config::load` names them
/// (computed before loading, to find clashes before any work).
fn output_stem(path: &std::path::Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "worksheet".to_owned());
    name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")).unwrap_or(&name).to_owned()
}

/// Builds and writes every file, all or nothing.
fn write(args: &GenerateArgs) -> Result<(Vec<Made>, output::Committed)> {
    let mut staging = output::Staging::new(&args.out)?;
    let made = build(args, &mut staging)?;
    Ok((made, staging.commit()?))
}

pub(super) fn generate(args: &GenerateArgs) -> Result<()> {
    if args.check {
        let mut comparison = output::Comparison::new(&args.out);
        build(args, &mut comparison)?;
        return report_comparison(&args.out, &comparison, args.quiet);
    }
    // Every file of every config is staged first and moved into place
    // together: a failure anywhere leaves the output directory as it was.
    let (made, committed) = write(args)?;
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
                    "wrote {} files of {} into {}: {sheets} sheets{}\n",
                    m.files.len(),
                    m.config.display(),
                    dir.display(),
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
    if !removed.is_empty() {
        let names: Vec<String> =
            removed.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
        let shown = if names.len() > 4 { format!("{}, …", names[..3].join(", ")) } else { names.join(", ") };
        out.push_str(&format!(
            "removed {} file{} an earlier run made that this run does not: {shown}\n",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
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
            false => print(&format!("up to date: {total} files in {}\n", dir.display())),
        };
    }
    let mut summary = Vec::new();
    if stale.len() > extra {
        summary.push(format!(
            "{} of {total} files in {} are not what the configs and templates produce now",
            stale.len() - extra,
            dir.display()
        ));
    }
    if extra > 0 {
        let plural = if extra == 1 { " is" } else { "s are" };
        summary.push(format!("{extra} file{plural} left in {} from an earlier run", dir.display()));
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
    loop {
        let now = snapshot(args);
        if now != seen {
            seen = now;
            let started = std::time::Instant::now();
            // Errors are shown, not fatal: fix the file and save again.
            match write(args) {
                Ok((_, committed)) => {
                    let _ = writeln!(
                        std::io::stdout(),
                        "regenerated {} files in {} ms; watching for changes (Ctrl-C to stop)",
                        committed.written.len(),
                        started.elapsed().as_millis()
                    );
                }
                Err(error) => {
                    let _ = writeln!(std::io::stderr(), "error: {error}\nwatching for changes (Ctrl-C to stop)");
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}
