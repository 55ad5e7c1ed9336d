//! The command line: parse arguments, call the library, print errors once,
//! return the exit code (0 success, 1 a failure the user can fix, 2 bad usage).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::error::{Error, Result};
use crate::generate::{self, Formats};
use crate::output;
use crate::render::{Label, Templates};

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
}

/// Runs the program with the process arguments; errors are printed here, once.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate(args) => generate(&args),
        Command::Answers(args) => answers(&args),
    }
}

fn formats(list: &[Format]) -> Formats {
    Formats { pdf: list.contains(&Format::Pdf), typ: list.contains(&Format::Typ), png: list.contains(&Format::Png) }
}

fn generate(args: &GenerateArgs) -> Result<()> {
    let templates = match &args.templates {
        Some(dir) => Templates::load(Some(&crate::render::template_dir(dir)?))?,
        None => Templates::load(None)?,
    };
    let formats = formats(&args.format);
    // Build every file of every config in memory first, then write them all.
    let mut files = Vec::new();
    for path in &args.configs {
        let spec = config::load(path)?;
        let solved = generate::solve_fixed(&spec)?;
        files.extend(generate::sheet_files(&templates, &solved, &spec.stem, &spec.stem, &Label::default(), formats)?);
    }
    let written = output::write_all(&args.out, &files)?;
    let mut stdout = std::io::stdout().lock();
    for path in written {
        let _ = writeln!(stdout, "wrote {}", path.display());
    }
    Ok(())
}

fn answers(args: &AnswersArgs) -> Result<()> {
    let spec = config::load(&args.config)?;
    let solved = generate::solve_fixed(&spec)?;
    let text = match args.format {
        AnswersFormat::Text => solved.answers.to_text(&format!("{} ({})", spec.document.title, spec.file)),
        AnswersFormat::Json => {
            let mut json = serde_json::to_string_pretty(&solved.answers).map_err(|e| Error::msg(e.to_string()))?;
            json.push('\n');
            json
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Error::msg(format!("cannot write to standard output: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
