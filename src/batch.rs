//! Batches: many variants of one randomized config, their class packs, and the
//! manifests. Each sheet is laid out once; the class packs reuse its pages.

use rayon::prelude::*;
use serde::Serialize;

use crate::answers::{self, Answers, Blank, SlipForm, Solved, Value, Wording};
use crate::config::{RawConfig, WorksheetSpec};
use crate::error::{Error, Result};
use crate::generate::{self, Formats};
use crate::manifest::Run;
use crate::model::Worksheet;
use crate::moodle;
use crate::output::{sanitize, OutputFile, Pending, Sink};
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

impl Sheet {
    /// The sheet of `variant` of `spec`, with the id `id` (`v07`, or a roster
    /// name's file-name form) and its `student`.
    fn new(spec: &WorksheetSpec, variant: Variant, id: String, student: Option<String>) -> Sheet {
        Sheet { variant, base: base_name(spec, &id), label: label(spec, id, student) }
    }
}

/// The file base name of the sheet `id` of `spec`: `classic-v07`.
fn base_name(spec: &WorksheetSpec, id: &str) -> String {
    format!("{}-{id}", spec.stem)
}

/// The label of the sheet `id` of `spec`, with its QR code.
fn label(spec: &WorksheetSpec, id: String, student: Option<String>) -> SheetLabel {
    let qr = QrCode::of(&format!("{}:{id}", spec.stem));
    SheetLabel { id, student, qr }
}

/// Draws the variants of `request`, wording their model answers with `words`.
pub fn draw(spec: &WorksheetSpec, words: &dyn Wording, request: &Request) -> Result<Vec<Sheet>> {
    let keep = |variant, id, student| Ok(Sheet::new(spec, variant, id, student));
    Ok(draw_keeping(spec, words, request, keep)?.0)
}

/// Draws the variants of `request`, handing each to `keep` as it is drawn,
/// with its id (`v07`, or a roster name's file-name form) and its roster
/// student; returns what `keep` made of each, and a warning for each value of
/// a range or choice that the sheets hold far less often than an even share
/// ([`Sampler::skews`]).
fn draw_keeping<T>(
    spec: &WorksheetSpec,
    words: &dyn Wording,
    request: &Request,
    mut keep: impl FnMut(Variant, String, Option<String>) -> Result<T>,
) -> Result<(Vec<T>, Vec<String>)> {
    let sampler = Sampler::new(spec, request.seed, words)?;
    let (kept, tally) = match &request.roster {
        Some(all) => {
            let names: Vec<String> = match request.only {
                Some(k) => all.get(k as usize - 1).cloned().into_iter().collect(),
                None => all.clone(),
            };
            // The numbers and the file name come from the name's normal form.
            let keys: Vec<String> = names.iter().map(|name| crate::roster::normalize(name)).collect();
            let mut seen = std::collections::HashMap::new();
            let mut ids = Vec::with_capacity(keys.len());
            for (name, key) in names.iter().zip(&keys) {
                let id = sanitize(key);
                if let Some(other) = seen.insert(id.clone(), name) {
                    return Err(Error::msg(format!(
                        "the roster names {other:?} and {name:?} give the same file name {id:?}; make them different"
                    )));
                }
                ids.push(id);
            }
            let drawn = sampler.roster(&keys, |i, variant| keep(variant, ids[i].clone(), Some(names[i].clone())))?;
            (drawn.variants, drawn.tally)
        }
        None => {
            let count = request.count.max(request.only.unwrap_or(0));
            let width = count.to_string().len().max(2);
            let drawn = sampler.batch(count, |i, variant| match request.only.is_none_or(|k| k == i as u64 + 1) {
                true => keep(variant, format!("v{:0width$}", i + 1), None).map(Some),
                false => Ok(None),
            })?;
            (drawn.variants.into_iter().flatten().collect(), drawn.tally)
        }
    };
    let skews = match request.only {
        Some(_) => Vec::new(),
        None => sampler.skews(&tally, "sheets"),
    };
    Ok((kept, skews))
}

/// A sheet of a batch waiting to be laid out: its drawn numbers, but not
/// their answers and slips (about 45 KB a sheet), which are solved again
/// when its chunk is laid out (under 1% of its time), so a batch holds
/// little of each sheet however large it is.
struct Waiting {
    /// Its drawn numbers.
    worksheet: Worksheet,
    /// Its stream number, for the manifest.
    stream: u64,
    /// `v07`, or the roster name's file-name form.
    id: String,
    /// The roster student, if any.
    student: Option<String>,
}

/// What a whole batch writes besides each sheet's files, a sheet at a time:
/// the class packs, the Moodle file, the manifests.
struct Collected {
    /// The student and key class packs.
    packs: Option<[pack::Pack<Pending>; 2]>,
    /// The Moodle file of every sheet's question.
    quiz: Option<Pending>,
    /// The JSON and CSV manifests.
    manifests: Option<Manifests>,
}

/// What a sheet of a whole batch adds to the [`Collected`] files.
struct Parts {
    /// Its question of the Moodle file, as XML.
    question: Option<String>,
    /// Its manifest entries.
    entry: Option<ManifestParts>,
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
/// out, so both cores keep busy. The Moodle file and the manifests are
/// written a sheet at a time too, and a sheet waits for its chunk as its
/// drawn numbers alone, so memory stays flat however large the batch.
pub fn files(
    spec: &WorksheetSpec,
    templates: &Templates,
    request: &Request,
    formats: Formats,
    tick: &(dyn Fn() + Sync),
    sink: &mut dyn Sink,
) -> Result<Vec<String>> {
    let whole = request.only.is_none();
    let packed = whole && formats.pdf;
    let mut rounded = Rounded::default();
    // Each sheet waits with the answers of its row of the grading summary,
    // kept until the summary is typeset.
    let (drawn, mut warnings) = draw_keeping(spec, templates, request, |variant, id, student| {
        rounded.note(spec, &variant.solved, &id, templates)?;
        let solved = variant.solved;
        let row = match packed {
            true => summary::row_answers(&solved.answers),
            false => Answers::default(),
        };
        Ok((Waiting { worksheet: solved.worksheet, stream: variant.stream.number(), id, student }, row))
    })?;
    let (sheets, rows): (Vec<Waiting>, Vec<Answers>) = drawn.into_iter().unzip();
    warnings.extend(rounded.warning());
    let pack_names = [Version::Student, Version::Key].map(|v| format!("{}-class-{}.pdf", spec.stem, v.name()));
    let mut collected = Collected {
        packs: match packed {
            true => {
                Some([pack::Pack::new(sink.create(&pack_names[0])?)?, pack::Pack::new(sink.create(&pack_names[1])?)?])
            }
            false => None,
        },
        // A whole batch's sheets are questions of one Moodle file; a single
        // sheet's is a file of its own.
        quiz: None,
        manifests: None,
    };
    if whole && formats.moodle {
        let title = sheets.first().map_or("", |s| s.worksheet.presentation.title.as_str());
        let mut quiz = sink.create(&generate::moodle_name(&spec.stem))?;
        write_to(&mut quiz, moodle::quiz_head(title, &spec.stem).as_bytes())?;
        collected.quiz = Some(quiz);
    }
    if whole {
        collected.manifests = Some(Manifests::new(sink, &spec.stem, request.seed)?);
    }
    // The grading summary that ends the key pack, typeset first (a page at a
    // time, on a worker of the pool that lays out the sheets) so the allocator
    // hands the memory it frees to the sheets, and copied into the pack at
    // once, so neither it nor the rows it shows are held while they are.
    if let Some([_, keys]) = collected.packs.as_mut() {
        let entries: Vec<summary::Entry> = sheets
            .iter()
            .zip(&rows)
            .map(|(s, row)| summary::Entry { id: &s.id, student: s.student.as_deref(), answers: row })
            .collect();
        for part in rayon::join(|| summary::pdfs(spec, templates, &entries), || ()).0? {
            keys.add_last(pack::parse(&part)?)?;
        }
    }
    drop(rows);
    let sheet_formats = Formats { moodle: formats.moodle && !whole, ..formats };
    let lay_out = |sheet: &Waiting| -> Result<(Vec<OutputFile>, Parts)> {
        let solved = answers::solve(sheet.worksheet.clone(), templates).map_err(|e| Error::msg(e.to_string()))?;
        let label = label(spec, sheet.id.clone(), sheet.student.clone());
        let base = base_name(spec, &sheet.id);
        let (files, parts) = rayon::join(
            || generate::sheet_files(templates, &solved, &spec.stem, &base, &label, sheet_formats),
            || -> Result<Parts> {
                let question = match whole && formats.moodle {
                    true => Some(moodle::quiz_question(&moodle::question(templates, &solved, &spec.stem, &label)?)),
                    false => None,
                };
                let entry = match whole {
                    true => Some(ManifestParts::new(spec, templates, request, sheet, &solved)?),
                    false => None,
                };
                Ok(Parts { question, entry })
            },
        );
        tick();
        Ok((files?, parts?))
    };
    let typeset_chunk = |chunk: &[Waiting]| -> Result<Vec<(Vec<OutputFile>, Parts)>> {
        let made = chunk.par_iter().map(lay_out).collect::<Result<_>>()?;
        typeset::evict_caches();
        Ok(made)
    };
    // The sheets of the chunk laid out last, still to be packed and put.
    let mut done: Vec<(Vec<OutputFile>, Parts)> = Vec::new();
    for chunk in sheets.chunks(CHUNK).map(Some).chain([None]) {
        let (next, packed) = rayon::join(
            || chunk.map(typeset_chunk).transpose(),
            || match collected.packs.as_mut() {
                Some(packs) => {
                    let files: Vec<&OutputFile> = done.iter().flat_map(|(files, _)| files).collect();
                    add_to_packs(packs, &files, request.simplex)
                }
                None => Ok(()),
            },
        );
        packed?;
        for (files, parts) in std::mem::replace(&mut done, next?.unwrap_or_default()) {
            collected.add(parts)?;
            for file in files {
                sink.put(file)?;
            }
        }
    }
    collected.finish(sink)?;
    Ok(warnings)
}

/// Writes `bytes` to a file being made.
fn write_to(file: &mut Pending, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    file.write_all(bytes).map_err(|e| Error::msg(format!("cannot write {}: {e}", file.name())))
}

impl Collected {
    /// Adds a sheet's question and manifest entries.
    fn add(&mut self, parts: Parts) -> Result<()> {
        if let (Some(quiz), Some(question)) = (self.quiz.as_mut(), parts.question) {
            write_to(quiz, question.as_bytes())?;
        }
        if let (Some(manifests), Some(entry)) = (self.manifests.as_mut(), parts.entry) {
            manifests.add(entry)?;
        }
        Ok(())
    }

    /// Ends every file and hands it to `sink`: the Moodle file, the class
    /// packs and the manifests.
    fn finish(self, sink: &mut dyn Sink) -> Result<()> {
        if let Some(mut quiz) = self.quiz {
            write_to(&mut quiz, moodle::QUIZ_TAIL.as_bytes())?;
            sink.finish(quiz)?;
        }
        if let Some([students, keys]) = self.packs {
            sink.finish(students.finish()?)?;
            sink.finish(keys.finish()?)?;
        }
        if let Some(manifests) = self.manifests {
            manifests.finish(sink)?;
        }
        Ok(())
    }
}

/// The warning of the first sheet whose key prints answers rounded, naming
/// the other sheets that do too, noted as the sheets are drawn.
#[derive(Default)]
struct Rounded {
    /// The first such sheet's warning, once there is one.
    first: Option<String>,
    /// The ids of the others.
    others: Vec<String>,
}

impl Rounded {
    /// Notes the sheet `id` of `spec`, solved as `solved`.
    fn note(&mut self, spec: &WorksheetSpec, solved: &Solved, id: &str, words: &dyn Wording) -> Result<()> {
        if solved.answers.rounded().next().is_none() {
            return Ok(());
        }
        if self.first.is_some() {
            // Every student of a fixed config has the same numbers: the first says it for all.
            if spec.is_randomized() {
                self.others.push(id.to_owned());
            }
            return Ok(());
        }
        let file = match spec.is_randomized() {
            true => format!("{} {id}", spec.file),
            false => spec.file.clone(),
        };
        // Some: the sheet prints answers rounded.
        self.first = solved.rounded_warning(&file, words)?;
        Ok(())
    }

    /// The warning, if a sheet prints answers rounded.
    fn warning(self) -> Option<String> {
        let mut warning = self.first?;
        if !self.others.is_empty() {
            let more = match self.others.len() {
                1 => "1 more sheet".to_owned(),
                n => format!("{n} more sheets"),
            };
            warning.push_str(&format!("\n  so do {more}: {}", self.others.join(", ")));
        }
        Some(warning)
    }
}

/// Appends the student and key PDFs among `files` to the two class packs,
/// in order, parsing them in parallel.
fn add_to_packs<W: std::io::Write + Send>(
    packs: &mut [pack::Pack<W>; 2],
    files: &[&OutputFile],
    simplex: bool,
) -> Result<()> {
    let [students, keys] = packs;
    let of = |version: Version| {
        let suffix = format!("-{}.pdf", version.name());
        files.iter().copied().filter(move |f| f.name.ends_with(&suffix)).collect::<Vec<_>>()
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

/// A sheet's entries in the two manifests.
struct ManifestParts {
    /// Its entry of the JSON manifest, pretty-printed and indented as an
    /// element of the manifest's array.
    json: Vec<u8>,
    /// Its short answers by id, for its row of the CSV manifest.
    short: Vec<(String, String)>,
    /// Its id and student.
    id: String,
    student: Option<String>,
}

impl ManifestParts {
    /// The manifest entries of `sheet` of a batch of `spec`, solved as `solved`.
    fn new(
        spec: &WorksheetSpec,
        templates: &Templates,
        request: &Request,
        sheet: &Waiting,
        solved: &Solved,
    ) -> Result<ManifestParts> {
        let entry = ManifestEntry {
            id: &sheet.id,
            seed: request.seed,
            stream: sheet.stream,
            student: sheet.student.as_deref(),
            config: spec.resolved_config(&solved.worksheet),
            answers: &solved.answers,
            slips: templates.slips(solved, SlipForm::Manifest)?,
            run: request.run.as_ref(),
        };
        let pretty = serde_json::to_vec_pretty(&entry).map_err(|e| Error::msg(e.to_string()))?;
        // Indented one level, as serde_json prints an element of an array:
        // line breaks in a JSON text are only those of its layout.
        let mut json = Vec::with_capacity(pretty.len() + pretty.len() / 16);
        for line in pretty.split(|b| *b == b'\n') {
            if !json.is_empty() {
                json.push(b'\n');
            }
            json.extend_from_slice(b"  ");
            json.extend_from_slice(line);
        }
        let short = short_answers(&solved.answers).collect();
        Ok(ManifestParts { json, short, id: sheet.id.clone(), student: sheet.student.clone() })
    }
}

/// The JSON and CSV manifests of a whole batch, written an entry at a time:
/// byte for byte what serializing every entry at once gives.
struct Manifests {
    json: Pending,
    /// The CSV manifest, in UTF-8 with a byte-order mark, so that Excel shows
    /// every name as written (without one it reads the file as the system's
    /// code page: "ZoÃ« O'Brien").
    csv: csv::Writer<Pending>,
    seed: String,
    entries: usize,
}

impl Manifests {
    /// Starts the manifests of the config `stem`'s batch of `seed` in `sink`.
    fn new(sink: &mut dyn Sink, stem: &str, seed: u64) -> Result<Manifests> {
        let mut json = sink.create(&format!("{stem}-manifest.json"))?;
        write_to(&mut json, b"[")?;
        let mut csv = sink.create(&format!("{stem}-manifest.csv"))?;
        write_to(&mut csv, "\u{feff}".as_bytes())?;
        Ok(Manifests { json, csv: csv::Writer::from_writer(csv), seed: seed.to_string(), entries: 0 })
    }

    /// Adds the next sheet's entries.
    fn add(&mut self, parts: ManifestParts) -> Result<()> {
        write_to(&mut self.json, if self.entries == 0 { b"\n" } else { b",\n" })?;
        write_to(&mut self.json, &parts.json)?;
        if self.entries == 0 {
            let mut header = vec!["id".to_owned(), "seed".to_owned(), "student".to_owned()];
            header.extend(parts.short.iter().map(|(id, _)| id.clone()));
            self.csv.write_record(&header).map_err(csv_error)?;
        }
        let student = parts.student.as_deref().map(text_cell).unwrap_or_default();
        let mut row = vec![parts.id, self.seed.clone(), student];
        row.extend(parts.short.into_iter().map(|(_, v)| v));
        self.csv.write_record(&row).map_err(csv_error)?;
        self.entries += 1;
        Ok(())
    }

    /// Ends both manifests and hands them to `sink`.
    fn finish(mut self, sink: &mut dyn Sink) -> Result<()> {
        write_to(&mut self.json, if self.entries == 0 { b"]\n" } else { b"\n]\n" })?;
        sink.finish(self.json)?;
        sink.finish(self.csv.into_inner().map_err(|e| csv_error(e.into_error().into()))?)
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::msg(format!("cannot write the CSV manifest: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The manifests a batch writes a sheet at a time are byte for byte the
    /// whole list serialized at once, from the sheets as [`draw`] gives them
    /// (with every answer), for numbered variants and a roster.
    #[test]
    fn manifests_written_a_sheet_at_a_time_are_the_whole_list_at_once() {
        let spec = crate::config::load(std::path::Path::new("configs/randomized.yaml")).unwrap();
        let templates = Templates::load(None).unwrap();
        let names = ["Ada Lovelace", "=HYPERLINK(\"x\")", "Zoë O'Brien"].map(String::from).to_vec();
        let run = Run {
            config: "randomized.yaml".into(),
            kind: crate::manifest::Kind::Roster,
            seed: 4,
            variants: None,
            roster: Some("class.csv".into()),
            command: "backprop-worksheet generate randomized.yaml --roster class.csv --seed 4".into(),
        };
        let requests = [
            Request { seed: 4, count: 3, ..Default::default() },
            Request { seed: 4, roster: Some(names), run: Some(run), ..Default::default() },
        ];
        for request in requests {
            let mut sink: Vec<OutputFile> = Vec::new();
            let formats = Formats { pdf: false, typ: true, ..Default::default() };
            files(&spec, &templates, &request, formats, &|| (), &mut sink).unwrap();
            let written = |suffix: &str| sink.iter().find(|f| f.name.ends_with(suffix)).unwrap().bytes.clone();

            let sheets = draw(&spec, &templates, &request).unwrap();
            let entries: Vec<ManifestEntry> = sheets
                .iter()
                .map(|s| ManifestEntry {
                    id: &s.label.id,
                    seed: request.seed,
                    stream: s.variant.stream.number(),
                    student: s.label.student.as_deref(),
                    config: spec.resolved_config(&s.variant.solved.worksheet),
                    answers: &s.variant.solved.answers,
                    slips: templates.slips(&s.variant.solved, SlipForm::Manifest).unwrap(),
                    run: request.run.as_ref(),
                })
                .collect();
            let mut json = serde_json::to_vec_pretty(&entries).unwrap();
            json.push(b'\n');
            assert_eq!(String::from_utf8(written("-manifest.json")).unwrap(), String::from_utf8(json).unwrap());

            let mut csv = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
            let ids = short_answers(&sheets[0].variant.solved.answers).map(|(id, _)| id);
            csv.write_record(["id", "seed", "student"].map(String::from).into_iter().chain(ids)).unwrap();
            for s in &sheets {
                let student = s.label.student.as_deref().map(text_cell).unwrap_or_default();
                let values = short_answers(&s.variant.solved.answers).map(|(_, v)| v);
                csv.write_record([s.label.id.clone(), "4".into(), student].into_iter().chain(values)).unwrap();
            }
            let csv = String::from_utf8(csv.into_inner().unwrap()).unwrap();
            assert_eq!(String::from_utf8(written("-manifest.csv")).unwrap(), csv);
            assert!(csv.contains("'=HYPERLINK") || request.roster.is_none(), "{csv}");
        }
    }
}
