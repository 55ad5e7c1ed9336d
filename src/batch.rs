//! Batches: many variants of one randomized config, their class packs, and the
//! manifests. Each sheet is laid out once; the class packs reuse its pages.

use rayon::prelude::*;
use serde::Serialize;

use crate::answers::{Answers, Blank, SlipForm, Value, Wording};
use crate::config::{RawConfig, WorksheetSpec};
use crate::error::{Error, Result};
use crate::generate::{self, Formats};
use crate::manifest::Run;
use crate::moodle;
use crate::output::{sanitize, OutputFile, Sink};
use crate::pack;
use crate::randomize::{Sampler, Variant};
use crate::render::{QrCode, SheetLabel, Templates, Version};
use crate::slips::WordedSlips;
use crate::summary;
use crate::typeset;

/// Variants typeset between two evictions of Typst's caches: two sheets at a
/// time, one per core. Measured on 200 variants of configs/randomized.yaml:
/// 97 MiB at its peak, against 139 MiB with four at a time and no slower.
const CHUNK: usize = 2;

/// What a batch is asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Batch seed.
    pub seed: u64,
    /// How many variants (ignored with a roster).
    pub count: u64,
    /// Only this 1-based variant, byte-identical to its twin in the batch.
    pub only: Option<u64>,
    /// One variant per student, in roster order; with `only`, the `only`-th
    /// student alone.
    pub roster: Option<Vec<String>>,
    /// Class packs for single-sided printing: no blank page after a sheet
    /// with an odd number of pages.
    pub simplex: bool,
    /// What makes these sheets again, for each entry of the manifest.
    pub run: Option<Run>,
}

/// A drawn variant with its label and file base name.
pub struct Sheet {
    /// The variant.
    pub variant: Variant,
    /// Id, student and QR code.
    pub label: SheetLabel,
    /// File base name: `classic-v07`, `classic-ada-lovelace`.
    pub base: String,
}

/// Draws the variants of `request`, wording their model answers with `words`.
pub fn draw(spec: &WorksheetSpec, words: &dyn Wording, request: &Request) -> Result<Vec<Sheet>> {
    Ok(draw_noting_skews(spec, words, request)?.0)
}

/// [`draw`], with a warning for each value of a range or choice that the
/// sheets hold far less often than an even share ([`Sampler::skews`]).
fn draw_noting_skews(
    spec: &WorksheetSpec,
    words: &dyn Wording,
    request: &Request,
) -> Result<(Vec<Sheet>, Vec<String>)> {
    let sampler = Sampler::new(spec, request.seed, words)?;
    let (sheets, tally) = match &request.roster {
        Some(all) => {
            let names: Vec<String> = match request.only {
                Some(k) => all.get(k as usize - 1).cloned().into_iter().collect(),
                None => all.clone(),
            };
            // The numbers and the file name come from the name's normal form.
            let keys: Vec<String> = names.iter().map(|name| crate::roster::normalize(name)).collect();
            let drawn = sampler.roster(&keys)?;
            let mut seen = std::collections::HashMap::new();
            let sheets = drawn
                .variants
                .into_iter()
                .zip(names.iter().zip(&keys))
                .map(|(variant, (name, key))| {
                    let id = sanitize(key);
                    if let Some(other) = seen.insert(id.clone(), name.clone()) {
                        return Err(Error::msg(format!(
                            "the roster names {other:?} and {name:?} give the same file name {id:?}; make them different"
                        )));
                    }
                    let qr = QrCode::of(&format!("{}:{id}", spec.stem));
                    let label = SheetLabel { id: id.clone(), student: Some(name.clone()), qr };
                    Ok(Sheet { variant, label, base: format!("{}-{id}", spec.stem) })
                })
                .collect::<Result<Vec<_>>>()?;
            (sheets, drawn.tally)
        }
        None => {
            let count = request.count.max(request.only.unwrap_or(0));
            let width = count.to_string().len().max(2);
            let drawn = sampler.batch(count)?;
            let sheets = drawn
                .variants
                .into_iter()
                .enumerate()
                .filter(|(i, _)| request.only.is_none_or(|k| k == *i as u64 + 1))
                .map(|(i, variant)| {
                    let id = format!("v{:0width$}", i + 1);
                    let qr = QrCode::of(&format!("{}:{id}", spec.stem));
                    let label = SheetLabel { id: id.clone(), student: None, qr };
                    Sheet { variant, label, base: format!("{}-{id}", spec.stem) }
                })
                .collect();
            (sheets, drawn.tally)
        }
    };
    let skews = match request.only {
        Some(_) => Vec::new(),
        None => sampler.skews(&tally, "sheets"),
    };
    Ok((sheets, skews))
}

/// Makes every file of the batch into `sink`: per-variant sheets, and for a
/// whole batch the class packs and manifests. `tick` is called once per
/// finished sheet. Returns the warnings: values of ranges and choices that
/// the sheets hold far less often than an even share, and the sheets whose
/// key prints answers rounded, as too long to read (see
/// [`Answers::rounded_warning`]).
///
/// Sheets are laid out and exported a chunk at a time, with Typst's caches
/// evicted between chunks, and each chunk's PDFs are appended to the class
/// packs (written straight to their files) while the next chunk is laid
/// out, so memory stays flat however large the batch and both cores keep busy.
pub fn files(
    spec: &WorksheetSpec,
    templates: &Templates,
    request: &Request,
    formats: Formats,
    tick: &(dyn Fn() + Sync),
    sink: &mut dyn Sink,
) -> Result<Vec<String>> {
    let (sheets, mut warnings) = draw_noting_skews(spec, templates, request)?;
    warnings.extend(rounded_warning(spec, &sheets, templates)?);
    let whole = request.only.is_none();
    let pack_names = [Version::Student, Version::Key].map(|v| format!("{}-class-{}.pdf", spec.stem, v.name()));
    let mut packs = match whole && formats.pdf {
        true => Some([pack::Pack::new(sink.create(&pack_names[0])?)?, pack::Pack::new(sink.create(&pack_names[1])?)?]),
        false => None,
    };
    // The grading summary, typeset first (a page at a time, on a worker of the
    // pool that lays out the sheets) so the allocator hands the memory it
    // frees to the sheets.
    let summary = match packs.is_some() {
        true => {
            let entries: Vec<summary::Entry> =
                sheets.iter().map(|s| summary::Entry { label: &s.label, answers: &s.variant.solved.answers }).collect();
            rayon::join(|| summary::pdfs(spec, templates, &entries), || ()).0?
        }
        false => Vec::new(),
    };
    // A whole batch's sheets are questions of one Moodle file, written last;
    // a single sheet's is a file of its own.
    let quiz = whole && formats.moodle;
    let sheet_formats = Formats { moodle: formats.moodle && !quiz, ..formats };
    let typeset_chunk = |chunk: &[Sheet]| -> Result<(Vec<OutputFile>, Vec<moodle::Question>)> {
        let made: Vec<(Vec<OutputFile>, Option<moodle::Question>)> = chunk
            .par_iter()
            .map(|sheet| {
                let solved = &sheet.variant.solved;
                let (files, question) = rayon::join(
                    || generate::sheet_files(templates, solved, &spec.stem, &sheet.base, &sheet.label, sheet_formats),
                    || quiz.then(|| moodle::question(templates, solved, &spec.stem, &sheet.label)).transpose(),
                );
                tick();
                Ok((files?, question?))
            })
            .collect::<Result<_>>()?;
        typeset::evict_caches();
        let (files, questions): (Vec<_>, Vec<_>) = made.into_iter().unzip();
        Ok((files.into_iter().flatten().collect(), questions.into_iter().flatten().collect()))
    };
    let mut questions = Vec::new();
    // The files of the chunk laid out last, still to be packed and put.
    let mut done: Vec<OutputFile> = Vec::new();
    for chunk in sheets.chunks(CHUNK).map(Some).chain([None]) {
        let (next, packed) = rayon::join(
            || chunk.map(typeset_chunk).transpose(),
            || match packs.as_mut() {
                Some(packs) => add_to_packs(packs, &done, request.simplex),
                None => Ok(()),
            },
        );
        packed?;
        let (next, chunk_questions) = next?.unwrap_or_default();
        questions.extend(chunk_questions);
        for file in std::mem::replace(&mut done, next) {
            sink.put(file)?;
        }
    }
    if quiz {
        let title = sheets.first().map_or("", |s| s.variant.solved.worksheet.presentation.title.as_str());
        sink.put(generate::moodle_file(&spec.stem, title, &spec.stem, &questions))?;
    }
    if let Some([students, keys]) = packs {
        sink.finish(students.finish()?)?;
        let mut keys = keys;
        for part in &summary {
            keys.add(pack::parse(part)?, false)?;
        }
        sink.finish(keys.finish()?)?;
    }
    if whole {
        sink.put(OutputFile {
            name: format!("{}-manifest.json", spec.stem),
            bytes: manifest_json(spec, templates, request, &sheets)?,
        })?;
        sink.put(OutputFile {
            name: format!("{}-manifest.csv", spec.stem),
            bytes: manifest_csv(request.seed, &sheets)?,
        })?;
    }
    Ok(warnings)
}

/// The warning of the first sheet whose key prints answers rounded, naming
/// the other sheets that do too.
fn rounded_warning(spec: &WorksheetSpec, sheets: &[Sheet], words: &dyn Wording) -> Result<Option<String>> {
    let mut rounded = sheets.iter().filter(|s| s.variant.solved.answers.rounded().next().is_some());
    let Some(first) = rounded.next() else { return Ok(None) };
    if !spec.is_randomized() {
        // Every student of a fixed config has the same numbers.
        return first.variant.solved.rounded_warning(&spec.file, words);
    }
    let file = format!("{} {}", spec.file, first.label.id);
    let Some(mut warning) = first.variant.solved.rounded_warning(&file, words)? else { return Ok(None) };
    let others: Vec<&str> = rounded.map(|s| s.label.id.as_str()).collect();
    if !others.is_empty() {
        let more = match others.len() {
            1 => "1 more sheet".to_owned(),
            n => format!("{n} more sheets"),
        };
        warning.push_str(&format!("\n  so do {more}: {}", others.join(", ")));
    }
    Ok(Some(warning))
}

/// Appends the student and key PDFs among `files` to the two class packs,
/// in order, parsing them in parallel.
fn add_to_packs<W: std::io::Write + Send>(
    packs: &mut [pack::Pack<W>; 2],
    files: &[OutputFile],
    simplex: bool,
) -> Result<()> {
    let [students, keys] = packs;
    let of = |version: Version| {
        let suffix = format!("-{}.pdf", version.name());
        files.iter().filter(move |f| f.name.ends_with(&suffix)).collect::<Vec<_>>()
    };
    let add = |pack: &mut pack::Pack<W>, pdfs: Vec<&OutputFile>| -> Result<()> {
        let parsed: Vec<_> = pdfs.par_iter().map(|f| pack::parse(&f.bytes)).collect::<Result<_>>()?;
        parsed.into_iter().try_for_each(|doc| pack.add(doc, !simplex))
    };
    let (a, b) = rayon::join(|| add(students, of(Version::Student)), || add(keys, of(Version::Key)));
    a.and(b)
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    id: &'a str,
    seed: u64,
    stream: u64,
    /// The roster name, or null for a numbered variant.
    student: Option<&'a str>,
    /// The config as written with the drawn numbers: load it and it gives
    /// this sheet.
    config: RawConfig,
    answers: &'a Answers,
    /// The common slips of each blank: the wrong values typical mistakes
    /// give, so a grader's script can match a wrong answer to its cause.
    slips: WordedSlips,
    /// The run that made the sheet: what makes it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<&'a Run>,
}

fn manifest_json(spec: &WorksheetSpec, templates: &Templates, request: &Request, sheets: &[Sheet]) -> Result<Vec<u8>> {
    let seed = request.seed;
    let entries: Vec<ManifestEntry> = sheets
        .iter()
        .map(|s| {
            Ok(ManifestEntry {
                id: &s.label.id,
                seed,
                stream: s.variant.stream.number(),
                student: s.label.student.as_deref(),
                config: spec.resolved_config(&s.variant.solved.worksheet),
                answers: &s.variant.solved.answers,
                slips: templates.slips(&s.variant.solved, SlipForm::Manifest)?,
                run: request.run.as_ref(),
            })
        })
        .collect::<Result<_>>()?;
    let mut bytes = serde_json::to_vec_pretty(&entries).map_err(|e| Error::msg(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The short answers of a sheet, by id, for the CSV manifest.
pub fn short_answers(answers: &Answers) -> impl Iterator<Item = (String, String)> + '_ {
    answers.iter().filter_map(|a| {
        let value = match &a.value {
            Value::Exact(x) => x.to_plain_string(),
            Value::Approx(shown, _) => shown.to_plain_string(),
            Value::Count(n) => n.to_string(),
            Value::Flag(b) => b.to_string(),
            // Word answers; model answers are sentences and stay out of tables.
            Value::Text(t) if matches!(a.id, Blank::Direction(_) | Blank::StrongestWeight) => t.clone(),
            Value::Text(_) => return None,
        };
        Some((a.id.to_string(), value))
    })
}

/// `text` as a CSV cell a spreadsheet shows as text: one that begins with
/// `=`, `+`, `-` or `@` (or a tab or carriage return) would run as a formula
/// in Excel (`=HYPERLINK(…)` in a roster), so it gets a `'` before it, as
/// OWASP advises for CSV files. The JSON manifest keeps the name as written.
fn text_cell(text: &str) -> String {
    match text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{text}"),
        false => text.to_owned(),
    }
}

/// The CSV manifest, in UTF-8 with a byte-order mark, so that Excel shows
/// every name as written (without one it reads the file as the system's
/// code page: "ZoÃ« O'Brien").
fn manifest_csv(seed: u64, sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let csv_error = |e: csv::Error| Error::msg(format!("cannot write the CSV manifest: {e}"));
    if let Some(first) = sheets.first() {
        let mut header = vec!["id".to_owned(), "seed".to_owned(), "student".to_owned()];
        header.extend(short_answers(&first.variant.solved.answers).map(|(id, _)| id));
        writer.write_record(&header).map_err(csv_error)?;
    }
    for s in sheets {
        let student = s.label.student.as_deref().map(text_cell).unwrap_or_default();
        let mut row = vec![s.label.id.clone(), seed.to_string(), student];
        row.extend(short_answers(&s.variant.solved.answers).map(|(_, v)| v));
        writer.write_record(&row).map_err(csv_error)?;
    }
    writer.into_inner().map_err(|e| Error::msg(format!("cannot write the CSV manifest: {e}")))
}
