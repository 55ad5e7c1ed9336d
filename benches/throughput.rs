//! Throughput benchmark: documents per second, against the stock `typst` CLI
//! measured in the same run. Run with `cargo build --release && cargo bench
//! --bench throughput`, on a quiet machine.
//!
//! Prints, each ratio with both of its times:
//! - the classic pair as a whole process, against the CLI compiling its two
//!   emitted sources (medians of alternating runs);
//! - one distinct sheet in process on one thread, as a batch makes it (both
//!   versions from one layout, two PDFs), part by part, and one document
//!   alone;
//! - a 100-variant batch (sheets, class packs, grading summary, manifests) on
//!   every core and on one thread, its CPU per variant against the one sheet,
//!   and the same batch as `--format typ`;
//! - the batch as a whole process, against the CLI compiling its 200 emitted
//!   sources, one process each;
//! - peak memory of whole-process batches, with and without the self-check page;
//! - and last, the README's performance table as this run measured it.
//!
//! The CLI runs with `--pdf-standard ua-1`, so both make the same tagged
//! PDFs. Without a `typst` on `PATH` the bench says so and compares nothing.
#![allow(clippy::disallowed_types)] // timings and ratios are measurements, not answers

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use backprop_worksheet::batch::{self, Request, Sheet};
use backprop_worksheet::generate::{self, Formats};
use backprop_worksheet::render::{Templates, Version};
use backprop_worksheet::typeset;
use backprop_worksheet::{config, page};

/// The binary's allocator, so that in process the library runs as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

/// Runs the binary `bin` with `args`, which must succeed.
fn run(bin: &Path, args: &[&str]) {
    let output = Command::new(bin).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/release/deps/throughput-HASH → target/release/backprop-worksheet
    exe.parent().unwrap().parent().unwrap().join("backprop-worksheet")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `ours` against `theirs`: the ratio with both times.
fn versus(ours: Duration, theirs: Duration) -> String {
    format!("{:.2}x ({:.1} ms vs {:.1} ms)", ours.as_secs_f64() / theirs.as_secs_f64(), ms(ours), ms(theirs))
}

fn peak_memory_kib(args: &[&str]) -> Option<u64> {
    let output = Command::new("/usr/bin/time").arg("-f").arg("%M").arg(binary()).args(args).output().ok()?;
    String::from_utf8_lossy(&output.stderr).lines().last()?.trim().parse().ok()
}

/// The version of the `typst` CLI on `PATH`, if there is one.
fn typst_cli() -> Option<String> {
    let output = Command::new("typst").arg("--version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Compiles one Typst source with the stock `typst` CLI, as its own process,
/// into a tagged PDF/UA-1 as ours are.
fn typst_compile(source: &Path) {
    let output = Command::new("typst").args(["compile", "--pdf-standard", "ua-1"]).arg(source).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// The rows of the README's performance table, gathered as the bench runs:
/// measure, figure, target.
#[derive(Default)]
struct Table(Vec<[String; 3]>);

impl Table {
    fn row(&mut self, measure: &str, figure: String, target: &str) {
        self.0.push([measure.to_owned(), figure, target.to_owned()]);
    }
}

fn main() {
    let out = tempfile::tempdir().unwrap();
    let out_path = out.path().to_str().unwrap().to_owned();
    let bin = binary();
    assert!(bin.exists(), "build the binary first: cargo build --release");
    let cli = typst_cli();
    match &cli {
        Some(version) => println!("typst CLI: {version}, run with --pdf-standard ua-1"),
        None => println!(
            "typst CLI: none on PATH, so this run compares nothing with it \
             (install it with: cargo install typst-cli@0.15.1 --locked)"
        ),
    }
    let load_at_start = load_average();
    println!("load average at the start: {load_at_start}");
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut table = Table::default();

    // 1. The classic pair as a whole process, and through the CLI: its two
    // sources, one process each. Alternating runs, so a change in the
    // machine's load falls on both.
    let classic = ["generate", "configs/classic.yaml", "--out", &out_path, "--quiet"];
    let sources = tempfile::tempdir().unwrap();
    let dir = sources.path().to_str().unwrap();
    run(&bin, &["generate", "configs/classic.yaml", "--format", "typ", "--quiet", "--out", dir]);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..11 {
        ours.push(time(|| run(&bin, &classic)).0);
        if cli.is_some() {
            theirs.push(
                time(|| {
                    for version in ["student", "key"] {
                        typst_compile(&sources.path().join(format!("classic-{version}.typ")));
                    }
                })
                .0,
            );
        }
    }
    let pair = median(ours);
    let pair_measure = "classic pair, whole process, vs the CLI's pair (medians of 11 alternating runs)";
    match cli {
        Some(_) => {
            let figure = versus(pair, median(theirs));
            println!("classic pair, whole process:         {figure} the CLI's pair (target <= 0.50x)");
            table.row(pair_measure, figure, "≤ 0.50×");
        }
        None => {
            println!("classic pair, whole process:         {:8.1} ms", ms(pair));
            table.row(pair_measure, format!("{:.1} ms; no CLI to compare with", ms(pair)), "≤ 0.50×");
        }
    }

    // 2. Distinct sheets in process, one thread: what a batch does for each
    // sheet, part by part. Distinct, because Typst memoizes: compiling the
    // same markup twice is nearly free.
    let templates = Templates::load(None).unwrap();
    let spec = config::load(Path::new("configs/randomized.yaml")).unwrap();
    let sample =
        batch::draw(&spec, &templates, &Request { seed: 99, count: 12, only: None, ..Default::default() }).unwrap();
    let n = sample.len() as u32;
    let parts = one.install(|| one_sheet_parts(&templates, &sample));
    let sheet = parts.iter().map(|(_, d)| *d).sum::<Duration>();
    let listed = parts.iter().map(|(name, d)| format!("{name} {:.1}", ms(*d))).collect::<Vec<_>>().join(", ");
    println!(
        "one sheet in process, one thread:    {:8.1} ms   ({listed}; both versions, mean of {n} distinct)",
        ms(sheet)
    );
    table.row(
        "one distinct sheet in process, one thread (both versions, two PDFs)",
        format!("{:.1} ms ({listed})", ms(sheet)),
        "",
    );
    let document = one.install(|| {
        let mut total = Duration::ZERO;
        for sheet in &sample {
            let solved = &sheet.variant.solved;
            total += time(|| {
                let markup = templates.render(solved, Version::Key, &sheet.label).unwrap();
                typeset::pdf(&typeset::compile(&markup).unwrap(), "bench").unwrap()
            })
            .0;
            typeset::evict_caches();
        }
        total / n
    });
    println!("one document (the key alone):        {:8.1} ms   (rendered, compiled, exported)", ms(document));

    // 2b. The self-check page of the same sheets.
    let mut pages = Duration::ZERO;
    for sheet in &sample {
        pages += time(|| page::page(&templates, &sheet.variant.solved, "bench", &sheet.label).unwrap()).0;
        typeset::evict_caches();
    }
    println!("one self-check page in process:      {:8.1} ms", ms(pages / n));

    // 3. 100 variants in process: on every core, on one thread, as markup.
    let request = Request { seed: 7, count: 100, only: None, ..Default::default() };
    let variants = request.count as u32;
    let pdf = Formats { pdf: true, typ: false, png: false, html: false, moodle: false };
    let typ = Formats { pdf: false, typ: true, png: false, html: false, moodle: false };
    let batch = |formats: Formats| {
        let mut files = Vec::new();
        batch::files(&spec, &templates, &request, formats, &|| {}, &mut files).unwrap();
        files
    };
    let (all_cores, _) = time(|| batch(pdf));
    println!(
        "100 variants, all cores:             {:8.1} ms   {:6.1} documents/s",
        ms(all_cores),
        200.0 / all_cores.as_secs_f64()
    );
    let (one_thread, _) = time(|| one.install(|| batch(pdf)));
    let per_variant = one_thread / variants;
    println!(
        "100 variants, one thread:            {:8.1} ms   {:.1} ms a variant: {} the one sheet (target <= 1.20x), {} one document",
        ms(one_thread),
        ms(per_variant),
        versus(per_variant, sheet),
        versus(per_variant, document),
    );
    table.row(
        "CPU per variant in a 100-variant batch (one thread) vs the one sheet",
        versus(per_variant, sheet),
        "≤ 1.20×",
    );
    let (typ_cores, typ_files) = time(|| batch(typ));
    let (typ_thread, _) = time(|| one.install(|| batch(typ)));
    println!(
        "100 variants as --format typ:        {:8.1} ms   {} the PDF batch on all cores (target <= 0.25x); one thread {}",
        ms(typ_cores),
        versus(typ_cores, all_cores),
        versus(typ_thread, one_thread)
    );
    table.row("100 variants as `--format typ` vs as PDFs, in process", versus(typ_cores, all_cores), "≤ 0.25×");

    // 4. Whole-process batches: the time of 100 variants, peak memory.
    let whole = |n: u32, format: &str| {
        let n = n.to_string();
        let args =
            ["generate", "configs/randomized.yaml", "--variants", &n, "--seed", "7", "--format", format, "--quiet"];
        let args: Vec<&str> = args.into_iter().chain(["--replace", "--out", &out_path]).collect();
        time(|| peak_memory_kib(&args))
    };
    // A batch's peak depends on which two sheets happen to be laid out at
    // once: from run to run it varies by some 10 MiB. The target's figures
    // are medians of three runs.
    let mut whole_100 = None;
    let mut peaks: Vec<(&str, usize, Vec<String>)> = vec![("pdf", 1, Vec::new()), ("pdf,html", 3, Vec::new())];
    for (format, runs, peaks) in &mut peaks {
        for n in [25, 100, 200, 400] {
            let mut kib = Vec::new();
            for _ in 0..*runs {
                let (elapsed, peak) = whole(n, format);
                if (n, *format) == (100, "pdf") {
                    whole_100 = Some(elapsed);
                    println!(
                        "100 variants, whole process:         {:8.1} ms   {:6.1} documents/s",
                        ms(elapsed),
                        200.0 / elapsed.as_secs_f64()
                    );
                }
                kib.extend(peak);
            }
            kib.sort_unstable();
            let mib = kib.get(kib.len() / 2).map_or("?".to_owned(), |kib| format!("{:.0}", *kib as f64 / 1024.0));
            let all: Vec<String> = kib.iter().map(|kib| format!("{:.0}", *kib as f64 / 1024.0)).collect();
            println!(
                "peak memory, {n:3} variants, {format:8}: {mib:>6} MiB   (runs: {}; target <= 150 MiB at 200, flat)",
                all.join(", ")
            );
            peaks.push(mib);
        }
    }
    for (format, runs, peaks) in &peaks {
        let median = if *runs > 1 { format!(", median of {runs} runs") } else { String::new() };
        table.row(
            &format!("peak memory, 25 / 100 / 200 / 400 variants, `--format {format}`{median}"),
            format!("{} MiB", peaks.join(" / ")),
            if *format == "pdf,html" { "≤ 150 MiB at 200, flat" } else { "" },
        );
    }

    // 5. The stock typst CLI on the batch's sources, one process each.
    let batch_measure =
        "100 variants (sheets, class packs, grading summary, manifests) vs the CLI on their 200 sources";
    if cli.is_some() {
        let sources = tempfile::tempdir().unwrap();
        let mut typs = Vec::new();
        for file in typ_files.iter().filter(|f| f.name.ends_with(".typ")) {
            let path = sources.path().join(&file.name);
            std::fs::write(&path, &file.bytes).unwrap();
            typs.push(path);
        }
        let (cli_time, _) = time(|| typs.iter().for_each(|path| typst_compile(path)));
        println!(
            "typst CLI, the {} sources:          {:8.1} ms   {:6.1} documents/s",
            typs.len(),
            ms(cli_time),
            typs.len() as f64 / cli_time.as_secs_f64()
        );
        println!("100 variants in process vs the CLI:  {} (target <= 0.30x)", versus(all_cores, cli_time));
        table.row(&format!("{batch_measure}, in process"), versus(all_cores, cli_time), "≤ 0.30×");
        if let Some(whole) = whole_100 {
            println!("100 variants, whole process vs CLI:  {} (target <= 0.30x)", versus(whole, cli_time));
            table.row(&format!("{batch_measure}, whole process"), versus(whole, cli_time), "≤ 0.30×");
        }
    } else {
        println!("typst CLI: none on PATH, the batch is not compared with it");
        let figure = format!("{:.1} ms; no CLI to compare with", ms(whole_100.unwrap_or(all_cores)));
        table.row(&format!("{batch_measure}, whole process"), figure, "≤ 0.30×");
    }
    let load_at_end = load_average();
    println!("load average at the end: {load_at_end}");

    // 6. The README's table, as this run measured it.
    println!();
    println!("For the README (Performance), this run:");
    println!();
    match &cli {
        Some(version) => println!(
            "One run of `cargo bench --bench throughput`, {version} on `PATH` (run with `--pdf-standard ua-1`), \
             load average {load_at_start} at the start and {load_at_end} at the end:"
        ),
        None => println!(
            "One run of `cargo bench --bench throughput`, no typst CLI on `PATH` (nothing compared with it), \
             load average {load_at_start} at the start and {load_at_end} at the end:"
        ),
    }
    println!();
    println!("| measure | this run | target |");
    println!("|---|---|---|");
    for [measure, figure, target] in &table.0 {
        println!("| {measure} | {figure} | {target} |");
    }
}

/// The load average of the last 1, 5 and 15 minutes.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The mean time of each part of making one sheet's two PDFs, over `sample`:
/// the markup of both versions, its layout, the cut into two versions, and
/// the two PDF exports.
fn one_sheet_parts(templates: &Templates, sample: &[Sheet]) -> Vec<(&'static str, Duration)> {
    let mut parts =
        [("render", Duration::ZERO), ("compile", Duration::ZERO), ("cut", Duration::ZERO), ("pdf", Duration::ZERO)];
    for sheet in sample {
        let solved = &sheet.variant.solved;
        let (render, markup) = time(|| templates.render_both(solved, &sheet.label).unwrap().unwrap());
        let (compile, layout) = time(|| typeset::compile(&markup).unwrap());
        let (cut, versions) =
            time(|| [typeset::without(&layout, typeset::KEY_ONLY), typeset::without(&layout, typeset::STUDENT_ONLY)]);
        let (pdf, _) = time(|| {
            versions
                .iter()
                .zip(Version::BOTH)
                .map(|(layout, version)| {
                    typeset::pdf(layout, &generate::ident("bench", &sheet.label, version)).unwrap()
                })
                .collect::<Vec<_>>()
        });
        for (part, d) in parts.iter_mut().zip([render, compile, cut, pdf]) {
            part.1 += d;
        }
        drop((layout, versions));
        typeset::evict_caches();
    }
    parts.map(|(name, d)| (name, d / sample.len() as u32)).to_vec()
}
