//! The command line: parse arguments, call the library, print errors once,
//! return the exit code (0 success, 1 a failure the user can fix, 2 bad usage).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Sink as _;

use crate::batch;
use crate::config;
use crate::error::{Error, Result};
use crate::generate::{self, Formats};
use crate::output;
use crate::render::{SheetLabel, Templates};
use crate::roster::Roster;
use crate::slips;

/// Printable backpropagation worksheets: a student version with blanks and an
/// answer key, computed exactly from a small YAML config.
#[derive(Debug, Parser)]
#[command(name = "backprop-worksheet", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Typeset the student version and the answer key of each config as PDF.
    Generate(GenerateArgs),
    /// Print every answer of a config, without typesetting.
    Answers(AnswersArgs),
    /// Validate configs and templates (render and typeset in memory), for CI.
    Check(CheckArgs),
    /// Regenerate whenever the config or a template changes.
    Watch(GenerateArgs),
    /// Print the JSON Schema of the config file.
    Schema,
    /// Write a commented starter config.
    Init(InitArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Config files or directories of them.
    #[arg(value_name = "PATH", default_value = "configs")]
    pub paths: Vec<PathBuf>,
    /// Directory whose templates override the built-in ones, file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Seed of the sample draws of randomized configs.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the starter config.
    #[arg(value_name = "PATH", default_value = "worksheet.yaml")]
    pub path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Output formats of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The PDFs.
    Pdf,
    /// The rendered Typst sources (compile with `typst compile`).
    Typ,
    /// PNG previews of every page.
    Png,
    /// The student's self-check web page (`STEM-student.html`).
    Html,
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Config files (YAML).
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, short, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// What to write, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "pdf", value_name = "FORMATS")]
    pub format: Vec<Format>,
    /// Directory whose templates override the built-in ones, file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub draw: DrawArgs,
    /// Number of variants to draw from a config with ranges.
    #[arg(long, value_name = "N", conflicts_with = "roster")]
    pub variants: Option<u64>,
    /// One variant per student named in the first column of this CSV file
    /// (pick one student with --student, not --variant).
    #[arg(long, value_name = "FILE.csv", conflicts_with = "variant")]
    pub roster: Option<PathBuf>,
    /// Only this roster student's sheet, to reprint it; the name is matched
    /// ignoring case, accents and apostrophe style.
    #[arg(long, value_name = "NAME", requires = "roster")]
    pub student: Option<String>,
    /// Class packs for single-sided printing: no blank page after a sheet with
    /// an odd number of pages.
    #[arg(long)]
    pub simplex: bool,
    /// Print nothing on success: no progress bar, no list of files (warnings
    /// and errors still go to standard error).
    #[arg(long, short)]
    pub quiet: bool,
    /// Write nothing; exit 1 listing every file in --out that is missing or stale.
    #[arg(long)]
    pub check: bool,
}

/// Which variant of a randomized config.
#[derive(Debug, Clone, Args)]
pub struct DrawArgs {
    /// Seed of the batch: the same seed gives the same numbers, everywhere, always.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Only variant K (1-based), byte-identical to variant K of the whole batch.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub variant: Option<u64>,
}

/// Formats of `answers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswersFormat {
    /// A readable answer sheet, grouped by task.
    Text,
    /// Every blank under its id; exact numbers as decimal strings.
    Json,
}

/// Arguments of `answers`.
#[derive(Debug, Args)]
pub struct AnswersArgs {
    /// Config file (YAML).
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AnswersFormat,
    #[command(flatten)]
    pub draw: DrawArgs,
    /// The sheet of this student of --roster; the name is matched ignoring
    /// case, accents and apostrophe style.
    #[arg(long, value_name = "NAME", conflicts_with = "variant", requires = "roster")]
    pub student: Option<String>,
    /// Directory whose templates override the built-in ones, file by file
    /// (`answers.txt.j2` words the model answers).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The common slips of every blank: the wrong values typical mistakes give,
    /// and which mistake each is (JSON: an object keyed by answer id).
    #[arg(long)]
    pub slips: bool,
    /// The class roster (CSV) that --student is looked up in.
    #[arg(long, value_name = "FILE.csv", requires = "student")]
    pub roster: Option<PathBuf>,
}

/// Runs the program with the process arguments; errors are printed here, once.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A closed stderr is no reason to panic.
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate(args) => generate(&args),
        Command::Answers(args) => answers(&args),
        Command::Check(args) => check(&args),
        Command::Watch(args) => watch(&args),
        Command::Schema => print(&format!("{:#}\n", config::schema())),
        Command::Init(args) => init(&args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut command, "backprop-worksheet", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn formats(list: &[Format]) -> Formats {
    Formats {
        pdf: list.contains(&Format::Pdf),
        typ: list.contains(&Format::Typ),
        png: list.contains(&Format::Png),
        html: list.contains(&Format::Html),
    }
}

fn load_templates(dir: Option<&std::path::Path>) -> Result<Templates> {
    match dir {
        Some(dir) => {
            let dir = crate::render::template_dir(dir)?;
            let unknown = crate::render::unknown_template_files(&dir);
            if !unknown.is_empty() {
                let expected: Vec<&str> = crate::render::EMBEDDED.iter().map(|(name, _)| *name).collect();
                warn(&format!(
                    "--templates {}: {} {} not a template name and {} ignored; the templates are named {}",
                    dir.display(),
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" },
                    if unknown.len() == 1 { "is" } else { "are" },
                    expected.join(", ")
                ));
            }
            Templates::load(Some(&dir))
        }
        None => Templates::load(None),
    }
}

/// Prints a warning: something the run got past that the user should know.
fn warn(text: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {text}");
}

/// Reads a roster and prints its warnings.
fn read_roster(path: &std::path::Path) -> Result<Roster> {
    let roster = Roster::read(path)?;
    for warning in &roster.warnings {
        warn(warning);
    }
    Ok(roster)
}

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
    let templates = load_templates(args.templates.as_deref())?;
    let formats = formats(&args.format);
    let roster = args.roster.as_deref().map(read_roster).transpose()?;
    if let (Some(n), Some(k)) = (args.variants, args.draw.variant) {
        if k > n {
            return Err(Error::msg(format!("--variant {k} is not one of the {n} variants of --variants {n}")));
        }
    }
    let only = match (&roster, &args.student) {
        (Some(roster), Some(name)) => {
            let student = roster.find(name)?;
            Some(roster.students.iter().position(|s| s == student).expect("found in the roster") as u64 + 1)
        }
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

fn generate(args: &GenerateArgs) -> Result<()> {
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

fn print(text: &str) -> Result<()> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Error::msg(format!("cannot write to standard output: {e}")))
}

fn check(args: &CheckArgs) -> Result<()> {
    let templates = load_templates(args.templates.as_deref())?;
    let report = crate::check::check(&args.paths, &templates, args.seed)?;
    for warning in &report.warnings {
        warn(warning);
    }
    let mut out = String::new();
    for line in &report.passed {
        out.push_str(line);
        out.push('\n');
    }
    print(&out)?;
    if report.problems.is_empty() {
        return Ok(());
    }
    let count = report.problems.len();
    let plural = if count == 1 { "" } else { "s" };
    Err(Error::msg(format!("{}\n\n{count} problem{plural} found", Error::Many(report.problems))))
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

fn watch(args: &GenerateArgs) -> Result<()> {
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

fn init(args: &InitArgs) -> Result<()> {
    if args.path.exists() && !args.force {
        return Err(Error::msg(format!("{} already exists; use --force to overwrite it", args.path.display())));
    }
    let file = output::OutputFile {
        name: args.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "worksheet.yaml".into()),
        bytes: include_str!("starter.yaml").as_bytes().to_vec(),
    };
    let dir = args.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    output::write_all(dir, &[file])?;
    print(&format!(
        "wrote {}; generate its PDFs with: backprop-worksheet generate {}\n",
        args.path.display(),
        args.path.display()
    ))
}

fn progress_bar(total: u64, quiet: bool, stem: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} sheets {elapsed}") {
        bar.set_style(style);
    }
    bar.set_prefix(stem.to_owned());
    bar
}

fn answers(args: &AnswersArgs) -> Result<()> {
    let templates = load_templates(args.templates.as_deref())?;
    let spec = config::load(&args.config)?;
    let roster = args.roster.as_deref().map(read_roster).transpose()?;
    let seed = args.draw.seed;
    let (solved, sheet) = if let (Some(name), Some(roster)) = (&args.student, &roster) {
        let student = roster.find(name)?;
        let k = roster.students.iter().position(|s| s == student).expect("found in the roster") as u64 + 1;
        let request = batch::Request { seed, roster: Some(roster.names()), only: Some(k), ..Default::default() };
        let drawn = batch::draw(&spec, &templates, &request)?.remove(0);
        let sheet =
            SheetInfo { config: &spec.file, seed, variant: drawn.label.id, student: Some(student.name.clone()) };
        (drawn.variant.solved, Some(sheet))
    } else if spec.is_randomized() || args.draw.variant.is_some() {
        let k = args.draw.variant.ok_or_else(|| {
            Error::msg(format!("{} has ranges: say which variant with --variant K (and --seed S)", spec.file))
        })?;
        let request = batch::Request { seed, count: k, only: Some(k), ..Default::default() };
        let drawn = batch::draw(&spec, &templates, &request)?.remove(0);
        let sheet = SheetInfo { config: &spec.file, seed, variant: drawn.label.id, student: None };
        (drawn.variant.solved, Some(sheet))
    } else {
        (generate::solve_fixed(&spec, &templates)?, None)
    };
    let slips = match args.slips {
        true => templates.slips(&solved)?,
        false => slips::WordedSlips::default(),
    };
    let text = match args.format {
        AnswersFormat::Text => {
            let mut header = format!("{} ({})", spec.presentation.title, spec.file);
            if let Some(sheet) = &sheet {
                match &sheet.student {
                    Some(student) => {
                        header.push_str(&format!("\nstudent {student} (sheet {}), seed {seed}", sheet.variant))
                    }
                    None => header.push_str(&format!("\nvariant {}, seed {seed}", sheet.variant)),
                }
            }
            let notes = |id: &str| -> Vec<String> {
                slips.get(id).iter().map(|s| format!("slip {:<10}  {}", s.value.to_display_string(), s.slip)).collect()
            };
            solved.answers.to_text(&header, &notes)
        }
        AnswersFormat::Json if args.slips => with_sheet(&slips, sheet)?,
        AnswersFormat::Json => with_sheet(&solved.answers, sheet)?,
    };
    print(&text)
}

/// `value` as pretty JSON with a final newline, with the key `sheet` added
/// when it is a variant or a roster student's sheet.
fn with_sheet(value: &impl serde::Serialize, sheet: Option<SheetInfo>) -> Result<String> {
    let json = match sheet {
        Some(sheet) => serde_json::to_string_pretty(&WithSheet { answers: value, sheet }),
        None => serde_json::to_string_pretty(value),
    };
    let mut json = json.map_err(|e| Error::msg(e.to_string()))?;
    json.push('\n');
    Ok(json)
}

/// Which sheet `answers` printed: under the key `sheet` of its JSON, after
/// the answers (no answer id is `sheet`), for a variant or a roster student.
#[derive(serde::Serialize)]
struct SheetInfo<'a> {
    config: &'a str,
    seed: u64,
    /// The variant id (`v03`), or the student's file-name form.
    variant: String,
    /// The roster name, as written in the roster.
    #[serde(skip_serializing_if = "Option::is_none")]
    student: Option<String>,
}

#[derive(serde::Serialize)]
struct WithSheet<'a, A: serde::Serialize> {
    #[serde(flatten)]
    answers: &'a A,
    sheet: SheetInfo<'a>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
