//! `check`: validates configs and templates the way CI needs: every config
//! loads, randomized ones are sampled as a stress test, and both versions of a
//! sheet render and typeset in memory, and so do its self-check page (which
//! catches what Typst's HTML export cannot show) and its Moodle question.
//! Every problem is reported, not just the first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::answers::Solved;
use crate::batch;
use crate::config::{self, WorksheetSpec};
use crate::error::{Error, Result};
use crate::model::Activation;
use crate::randomize::{plural, share, Rule, Sampler, Stress};
use crate::render::{SheetLabel, Templates};
use crate::{generate, moodle, page};

/// Variants drawn per randomized config.
pub const SAMPLES: u64 = 200;

/// The outcome of checking some configs.
#[derive(Debug, Default)]
pub struct Report {
    /// One line (or block) per config that passed.
    pub passed: Vec<String>,
    /// Every problem found.
    pub problems: Vec<Error>,
    /// What passed but the user should know: answers the key prints rounded.
    pub warnings: Vec<String>,
}

/// The YAML files `paths` name: files as given, directories by their `*.yaml` and `*.yml`.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| Error::io("read directory", path, e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Checks every config of `paths` against `templates`, with batch `seed`.
pub fn check(paths: &[PathBuf], templates: &Templates, seed: u64) -> Result<Report> {
    let mut report = Report::default();
    for path in collect(paths)? {
        match check_one(&path, templates, seed, &mut report.warnings) {
            Ok(summary) => report.passed.push(summary),
            Err(Error::Many(errors)) => report.problems.extend(errors),
            Err(error) => report.problems.push(error),
        }
    }
    Ok(report)
}

fn check_one(path: &Path, templates: &Templates, seed: u64, warnings: &mut Vec<String>) -> Result<String> {
    let spec = config::load(path)?;
    if !spec.is_randomized() {
        let solved = generate::solve_fixed(&spec, templates)?;
        warnings.extend(solved.rounded_warning(&spec.file, templates)?);
        let pages = typeset_all(templates, &solved, &SheetLabel::default())?;
        return Ok(format!("ok   {} ({})", spec.file, plural(pages as u64, "page")));
    }
    let sampler = Sampler::new(&spec, seed, templates)?;
    let stress = sampler.stress(SAMPLES)?;
    if stress.tally.accepted == 0 {
        return Err(sampler.exhausted(&stress.tally, &format!("none of {SAMPLES} sample draws was acceptable")));
    }
    warnings.extend(sampler.skews(&stress.tally, "acceptable sample draws"));
    let mut summary = format!("ok   {}", describe(&spec, &sampler, &stress));
    let request = batch::Request { seed, count: 1, only: Some(1), ..Default::default() };
    let sheet = batch::draw(&spec, templates, &request)?.remove(0);
    let variant = format!("{} (variant 1 of seed {seed})", spec.file);
    warnings.extend(sheet.variant.solved.rounded_warning(&variant, templates)?);
    let pages = typeset_all(templates, &sheet.variant.solved, &sheet.label)?;
    let _ = write!(summary, "\n     variant 1 of seed {seed}: {}", plural(pages as u64, "page"));
    Ok(summary)
}

/// Typesets both versions and makes the self-check page and the Moodle
/// question in memory, as `generate --format pdf,html,moodle` would; returns
/// the key's page count.
fn typeset_all(templates: &Templates, solved: &Solved, label: &SheetLabel) -> Result<usize> {
    let [_, key] = generate::typeset_sheet(templates, solved, label, false)?;
    page::page(templates, solved, "check", label)?;
    moodle::question(templates, solved, "check", label)?;
    Ok(key.layout.page_count())
}

fn describe(spec: &WorksheetSpec, sampler: &Sampler, stress: &Stress) -> String {
    let tally = &stress.tally;
    let mut out = format!(
        "{} (randomized: {} possible worksheets; {} of {} sample draws acceptable, {})",
        spec.file,
        spec.combinations(),
        tally.accepted,
        tally.draws,
        share(tally.accepted, tally.draws)
    );
    let unsolvable = tally.draws - tally.solvable;
    let _ = write!(
        out,
        "\n     rule nonzero_error (the starting error is not 0): held in {} of draws",
        share(tally.solvable, tally.draws)
    );
    if unsolvable > 0 {
        let _ = write!(out, " ({} with a starting error of 0)", plural(unsolvable, "draw"));
    }
    for (rule, held) in Rule::ALL.into_iter().zip(tally.rules_held) {
        let what = match rule {
            Rule::NonzeroGradients if !spec.rules.nonzero_gradients => {
                let _ = write!(out, "\n     rule nonzero_gradients: off");
                continue;
            }
            Rule::NonzeroGradients => "no gradient is 0".to_owned(),
            Rule::MaxDecimals => match spec.rules.max_decimals {
                Some(places) => format!("no answer has more than {places} decimal places"),
                None => {
                    let _ = write!(out, "\n     rule max_decimals: off");
                    continue;
                }
            },
        };
        let _ = write!(
            out,
            "\n     rule {} ({what}): held in {} of solvable draws",
            rule.name(),
            share(held, tally.solvable)
        );
    }
    for (constraint, held) in sampler.held(tally) {
        let _ = write!(out, "\n     require: {constraint}: held in {}", share(held, tally.solvable));
    }
    let drawn: Vec<String> = stress
        .ranges
        .iter()
        .zip(spec.fields())
        .filter(|(_, field)| field.spec.fixed().is_none())
        .filter_map(|((path, range), _)| range.as_ref().map(|(lo, hi)| format!("{path} {lo}..{hi}")))
        .collect();
    if !drawn.is_empty() {
        let _ = write!(out, "\n     drawn: {}", drawn.join(", "));
    }
    if let Some(note) = extension_note(spec, stress) {
        let _ = write!(out, "\n     note: {note}");
    }
    out
}

/// How the acceptable sample draws meet the extension's activation: how
/// many have a live or dead ReLU, or a saturated sigmoid or tanh, and how
/// `require:` asks for the other case, since the lesson differs.
fn extension_note(spec: &WorksheetSpec, stress: &Stress) -> Option<String> {
    let extension = spec.extension?;
    let (all, flat) = (stress.tally.accepted, stress.flat_extension);
    if all == 0 {
        return None;
    }
    let of = |n: u64| if n == all { format!("all {all}") } else { format!("{n} of {all}") };
    Some(match extension.activation {
        Activation::Relu if flat == all => format!(
            "the ReLU is dead (z ≤ 0) in all {all} acceptable draws: every sheet has the dead-ReLU lesson (for a live \
             one, `ext.z > 0` in `require:`)"
        ),
        Activation::Relu => format!(
            "the ReLU is live (z > 0) in {} acceptable draws and dead (z ≤ 0) in {}; to give every sheet the dead-ReLU \
             lesson add `ext.z <= 0` to `require:` (or `ext.z > 0` for a live one)",
            of(all - flat),
            of(flat)
        ),
        activation => format!(
            "the {} is saturated (slope below 0.1) in {} acceptable draws; to give every sheet the vanishing-gradient \
             lesson add `ext.slope < 0.1` to `require:` (or `ext.slope >= 0.1` for a steep one)",
            if activation == Activation::Sigmoid { "sigmoid" } else { "tanh" },
            of(flat)
        ),
    })
}
