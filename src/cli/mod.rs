//! The command line: parse arguments, call the library, print errors once,
//! return the exit code (0 success, 1 a failure the user can fix, 2 bad usage).
//! The commands with more to them live beside it: `run_generate.rs`
//! (`generate`, `watch`) and `answers.rs`.

mod answers;
mod run_generate;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::error::{Error, Result};
use crate::generate::Formats;
use crate::output;
use crate::render::Templates;
use crate::roster::Roster;

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
    #[arg(long, default_value_t = 1, value_name = "S", value_parser = seed, allow_hyphen_values = true)]
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
    /// Moodle XML (`STEM-moodle.xml`): a Cloze question per sheet, graded by
    /// Moodle, with the common slips' hints as feedback.
    Moodle,
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
    /// Number of variants to draw from a config with ranges (1 to 10000).
    #[arg(long, value_name = "N", conflicts_with = "roster", value_parser = variants, allow_hyphen_values = true)]
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
    /// Replace the sheets another run made in --out (another seed, config,
    /// roster or kind of run), which a run otherwise refuses to touch.
    #[arg(long)]
    pub replace: bool,
}

/// Which variant of a randomized config.
#[derive(Debug, Clone, Args)]
pub struct DrawArgs {
    /// Seed of the batch: the same seed gives the same numbers, everywhere, always.
    #[arg(long, default_value_t = 1, value_name = "S", value_parser = seed, allow_hyphen_values = true)]
    pub seed: u64,
    /// Only variant K (1-based), byte-identical to variant K of the whole batch.
    #[arg(long, value_name = "K", value_parser = variant, allow_hyphen_values = true)]
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

/// A whole number within `range`, or a usage error that says the range
/// (`what` names the value: "the seed").
fn whole(text: &str, what: &str, range: std::ops::RangeInclusive<u64>) -> std::result::Result<u64, String> {
    let (low, high) = (range.start(), range.end());
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("{what} is a whole number from {low} to {high}, not {text}"))
}

/// `--seed`: any whole number a 64-bit seed holds.
fn seed(text: &str) -> std::result::Result<u64, String> {
    whole(text, "the seed", 0..=u64::MAX)
}

/// `--variants`: from 1 to the most one run may make.
fn variants(text: &str) -> std::result::Result<u64, String> {
    whole(text, "the number of variants", 1..=crate::randomize::MAX_VARIANTS)
}

/// `--variant`: a variant's 1-based number.
fn variant(text: &str) -> std::result::Result<u64, String> {
    whole(text, "the variant", 1..=crate::randomize::MAX_VARIANTS)
}

/// Runs the program with the process arguments; errors are printed here, once.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    output::remove_temporaries_on_signal();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed stderr is no reason to panic.
        Err(Error::Usage(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}\n\nFor more information, try '--help'.");
            ExitCode::from(2)
        }
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate(args) => run_generate::generate(&args),
        Command::Answers(args) => answers::answers(&args),
        Command::Check(args) => check(&args),
        Command::Watch(args) => run_generate::watch(&args),
        Command::Schema => print(&format!("{:#}\n", config::schema())),
        Command::Init(args) => init(&args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Written whole through `print`: clap_complete panics on a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "backprop-worksheet", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
    }
}

fn formats(list: &[Format]) -> Formats {
    Formats {
        pdf: list.contains(&Format::Pdf),
        typ: list.contains(&Format::Typ),
        png: list.contains(&Format::Png),
        html: list.contains(&Format::Html),
        moodle: list.contains(&Format::Moodle),
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

/// `n` and `noun`, with the noun's plural unless `n` is 1: "1 sheet", "2 sheets".
fn plural(n: usize, noun: &str) -> String {
    crate::randomize::plural(n as u64, noun)
}

/// Prints `text` on standard output. A reader that stopped reading (`| head`)
/// closed the pipe: that is no error, and the rest goes nowhere.
fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::msg(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

fn check(args: &CheckArgs) -> Result<()> {
    if let [only] = args.paths.as_slice() {
        if only.as_os_str() == "configs" && !only.exists() {
            return Err(Error::Usage(
                "there is nothing to check here: no configs/ directory. Name the configs to check, such as \
                 `backprop-worksheet check worksheet.yaml`, or a directory of them"
                    .to_owned(),
            ));
        }
    }
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
    let count = plural(report.problems.len(), "problem");
    Err(Error::msg(format!("{}\n\n{count} found", Error::Many(report.problems))))
}

fn init(args: &InitArgs) -> Result<()> {
    if args.path.exists() && !args.force {
        return Err(Error::msg(format!("{} already exists; use --force to overwrite it", args.path.display())));
    }
    let file = output::OutputFile {
        name: args.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "worksheet.yaml".into()),
        bytes: include_str!("../starter.yaml").as_bytes().to_vec(),
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
    let unit = if total == 1 { "sheet" } else { "sheets" };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{{prefix}} {{bar:30}} {{pos}}/{{len}} {unit} {{elapsed}}"))
    {
        bar.set_style(style);
    }
    bar.set_prefix(stem.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
