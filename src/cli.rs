//! The command line: parse arguments, call the library, print errors once,
//! return the exit code (0 success, 1 a failure the user can fix, 2 bad usage).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::batch;
use crate::config;
use crate::error::{Error, Result};
use crate::generate::{self, Formats};
use crate::output;
use crate::render::{SheetLabel, Templates};
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
    /// One variant per student named in the first column of this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub roster: Option<PathBuf>,
    /// No progress bar.
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
    /// The variant of this roster student.
    #[arg(long, value_name = "NAME", conflicts_with = "variant")]
    pub student: Option<String>,
    /// Directory whose templates override the built-in ones, file by file
    /// (`answers.txt.j2` words the model answers).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The common slips of every blank: the wrong values typical mistakes give,
    /// and which mistake each is (JSON: an object keyed by answer id).
    #[arg(long)]
    pub slips: bool,
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
    Formats { pdf: list.contains(&Format::Pdf), typ: list.contains(&Format::Typ), png: list.contains(&Format::Png) }
}

fn load_templates(dir: Option<&std::path::Path>) -> Result<Templates> {
    match dir {
        Some(dir) => Templates::load(Some(&crate::render::template_dir(dir)?)),
        None => Templates::load(None),
    }
}

/// Makes every file `generate` writes, into `sink`.
fn build(args: &GenerateArgs, sink: &mut dyn output::Sink) -> Result<()> {
    let templates = load_templates(args.templates.as_deref())?;
    let formats = formats(&args.format);
    let roster = args.roster.as_deref().map(read_roster).transpose()?;
    if let (Some(n), Some(k)) = (args.variants, args.draw.variant) {
        if k > n {
            return Err(Error::msg(format!("--variant {k} is not one of the {n} variants of --variants {n}")));
        }
    }
    for path in &args.configs {
        let spec = config::load(path)?;
        let batch = spec.is_randomized() || args.variants.is_some() || roster.is_some() || args.draw.variant.is_some();
        if batch {
            let request = batch::Request {
                seed: args.draw.seed,
                count: args.variants.unwrap_or(1),
                only: args.draw.variant,
                roster: roster.clone(),
            };
            let total = roster.as_ref().map_or(request.count.max(request.only.unwrap_or(0)), |r| r.len() as u64);
            let bar = progress_bar(if request.only.is_some() { 1 } else { total }, args.quiet, &spec.stem);
            batch::files(&spec, &templates, &request, formats, &|| bar.inc(1), sink)?;
            bar.finish_and_clear();
        } else {
            let solved = generate::solve_fixed(&spec, &templates)?;
            for file in
                generate::sheet_files(&templates, &solved, &spec.stem, &spec.stem, &SheetLabel::default(), formats)?
            {
                sink.put(file)?;
            }
        }
    }
    Ok(())
}

/// Builds and writes every file, all or nothing.
fn write(args: &GenerateArgs) -> Result<Vec<PathBuf>> {
    let mut staging = output::Staging::new(&args.out)?;
    build(args, &mut staging)?;
    staging.commit()
}

fn generate(args: &GenerateArgs) -> Result<()> {
    if args.check {
        let mut comparison = output::Comparison::new(&args.out);
        build(args, &mut comparison)?;
        return report_comparison(&args.out, &comparison);
    }
    // Every file of every config is staged first and moved into place
    // together: a failure anywhere leaves the output directory as it was.
    let written = write(args)?;
    let mut stdout = std::io::stdout().lock();
    for path in written {
        let _ = writeln!(stdout, "wrote {}", path.display());
    }
    Ok(())
}

/// `generate --check`: every file must exist in `dir` with exactly the bytes
/// the configs and templates produce now.
fn report_comparison(dir: &std::path::Path, comparison: &output::Comparison) -> Result<()> {
    let stale: Vec<String> = comparison
        .verdicts
        .iter()
        .filter_map(|(path, verdict)| match verdict {
            output::Verdict::Same => None,
            output::Verdict::Stale => Some(format!("  stale:   {}", path.display())),
            output::Verdict::Missing => Some(format!("  missing: {}", path.display())),
        })
        .collect();
    let total = comparison.verdicts.len();
    if stale.is_empty() {
        print(&format!("up to date: {total} files in {}\n", dir.display()))
    } else {
        Err(Error::msg(format!(
            "{} of {total} files in {} are not what the configs and templates produce now; run the same command without --check to regenerate them:\n{}",
            stale.len(),
            dir.display(),
            stale.join("\n")
        )))
    }
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
    let mut seen = Vec::new();
    loop {
        let now = snapshot(args);
        if now != seen {
            seen = now;
            let started = std::time::Instant::now();
            // Errors are shown, not fatal: fix the file and save again.
            match write(args) {
                Ok(written) => {
                    let _ = writeln!(
                        std::io::stdout(),
                        "regenerated {} files in {} ms; watching for changes (Ctrl-C to stop)",
                        written.len(),
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

/// The student names of a roster: the first column of each non-empty row,
/// without a `name` header.
fn read_roster(path: &std::path::Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read roster", path, e))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
    let mut names = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| Error::msg(format!("{}:{}: cannot read the roster: {e}", path.display(), i + 1)))?;
        let name = record.get(0).unwrap_or("").trim();
        if name.is_empty() || (i == 0 && name.eq_ignore_ascii_case("name")) {
            continue;
        }
        if name.chars().count() > 200 {
            return Err(Error::msg(format!("{}:{}: the name is longer than 200 characters", path.display(), i + 1)));
        }
        if names.iter().any(|n: &String| n == name) {
            return Err(Error::msg(format!(
                "{}:{}: {name:?} is listed twice; give each student a different name",
                path.display(),
                i + 1
            )));
        }
        names.push(name.to_owned());
    }
    if names.is_empty() {
        return Err(Error::msg(format!("{}: the roster has no names", path.display())));
    }
    Ok(names)
}

fn answers(args: &AnswersArgs) -> Result<()> {
    let templates = load_templates(args.templates.as_deref())?;
    let spec = config::load(&args.config)?;
    let solved = if let Some(name) = &args.student {
        let request = batch::Request { seed: args.draw.seed, roster: Some(vec![name.clone()]), ..Default::default() };
        batch::draw(&spec, &templates, &request)?.remove(0).variant.solved
    } else if spec.is_randomized() || args.draw.variant.is_some() {
        let k = args.draw.variant.ok_or_else(|| {
            Error::msg(format!("{} has ranges: say which variant with --variant K (and --seed S)", spec.file))
        })?;
        let request = batch::Request { seed: args.draw.seed, count: k, only: Some(k), roster: None };
        batch::draw(&spec, &templates, &request)?.remove(0).variant.solved
    } else {
        generate::solve_fixed(&spec, &templates)?
    };
    let slips = match args.slips {
        true => slips::worded(&slips::catalogue(&solved.worksheet, &solved.solution), &solved.worksheet, &templates)?,
        false => slips::WordedSlips::default(),
    };
    let text = match args.format {
        AnswersFormat::Text => {
            let title = format!("{} ({})", spec.presentation.title, spec.file);
            let notes = |id: &str| -> Vec<String> {
                slips.get(id).iter().map(|s| format!("slip {:<10}  {}", s.value.to_display_string(), s.slip)).collect()
            };
            solved.answers.to_text(&title, &notes)
        }
        AnswersFormat::Json if args.slips => json(&slips)?,
        AnswersFormat::Json => json(&solved.answers)?,
    };
    print(&text)
}

/// `value` as pretty JSON, with a final newline.
fn json(value: &impl serde::Serialize) -> Result<String> {
    let mut json = serde_json::to_string_pretty(value).map_err(|e| Error::msg(e.to_string()))?;
    json.push('\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
