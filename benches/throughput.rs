//! Throughput benchmark: documents per second, against references measured in
//! the same run. Run with `cargo bench --bench throughput`.
//!
//! Prints: the classic pair as a whole process; a 100-variant batch (student +
//! key + class packs + manifests) on every core and on one thread; the
//! in-process floor (render + compile + PDF of one document, times the number
//! of documents); the stock `typst` CLI on the same emitted sources when a
//! `typst` binary is on PATH; and peak memory for growing batches.
#![allow(clippy::disallowed_types)] // timings and ratios are measurements, not answers

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use backprop_worksheet::batch::{self, Request};
use backprop_worksheet::generate::Formats;
use backprop_worksheet::render::{Templates, Version};
use backprop_worksheet::typeset;
use backprop_worksheet::{config, page};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

/// The median time of 15 runs of `f`.
fn median_of_15(mut f: impl FnMut()) -> Duration {
    median((0..15).map(|_| time(&mut f).0).collect())
}

/// Runs the binary `bin` with `args`, which must succeed.
fn run(bin: &Path, args: &[&str]) {
    assert!(Command::new(bin).args(args).output().unwrap().status.success(), "{args:?}");
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/release/deps/throughput-HASH → target/release/backprop-worksheet
    exe.parent().unwrap().parent().unwrap().join("backprop-worksheet")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_memory_kib(args: &[&str]) -> Option<u64> {
    let output = Command::new("/usr/bin/time").arg("-f").arg("%M").arg(binary()).args(args).output().ok()?;
    String::from_utf8_lossy(&output.stderr).lines().last()?.trim().parse().ok()
}

/// Compiles one Typst source with the stock `typst` CLI, as its own process.
fn typst_compile(source: &Path) {
    let status = Command::new("typst").arg("compile").arg(source).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

fn main() {
    let out = tempfile::tempdir().unwrap();
    let out_path = out.path().to_str().unwrap().to_owned();
    let bin = binary();
    assert!(bin.exists(), "build the binary first: cargo build --release");

    // 1. The classic pair as a whole process.
    let classic = median_of_15(|| run(&bin, &["generate", "configs/classic.yaml", "--out", &out_path]));
    println!("classic pair, whole process:        {:8.1} ms   (target <= 60 ms)", ms(classic));
    let typst_cli = Command::new("typst").arg("--version").output().is_ok_and(|o| o.status.success());
    if typst_cli {
        // The same pair through the stock CLI: its two sources, one process each.
        let sources = tempfile::tempdir().unwrap();
        let dir = sources.path().to_str().unwrap();
        run(&bin, &["generate", "configs/classic.yaml", "--format", "typ", "--quiet", "--out", dir]);
        let cli = median_of_15(|| {
            for version in ["student", "key"] {
                typst_compile(&sources.path().join(format!("classic-{version}.typ")));
            }
        });
        println!(
            "classic pair, typst CLI:            {:8.1} ms   ours is {:.2}x its time",
            ms(cli),
            classic.as_secs_f64() / cli.as_secs_f64()
        );
    }

    // 2. In-process floor: distinct documents rendered, compiled and exported
    // one at a time (Typst uses every core inside one compile). Distinct,
    // because Typst memoizes: compiling the same markup twice is nearly free.
    let templates = Templates::load(None).unwrap();
    let spec = config::load(Path::new("configs/randomized.yaml")).unwrap();
    let sample =
        batch::draw(&spec, &templates, &Request { seed: 99, count: 12, only: None, ..Default::default() }).unwrap();
    let (mut render, mut compile, mut export) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for sheet in &sample {
        let solved = &sheet.variant.solved;
        let (r, markup) = time(|| templates.render(solved, Version::Key, &sheet.label).unwrap());
        let (c, doc) = time(|| typeset::compile(&markup).unwrap());
        let (p, _) = time(|| typeset::pdf(&doc, "bench").unwrap());
        render += r;
        compile += c;
        export += p;
        typeset::evict_caches();
    }
    let n = sample.len() as u32;
    let single = (render + compile + export) / n;
    println!(
        "one document in process:            {:8.1} ms   (render {:.1}, compile {:.1}, pdf {:.1}; mean of {n} distinct)",
        ms(single),
        ms(render / n),
        ms(compile / n),
        ms(export / n)
    );

    // 2b. The self-check page of the same distinct sheets: rendered once
    // more, typeset by Typst's HTML export, the checks hashed.
    let mut pages = Duration::ZERO;
    for sheet in &sample {
        let (t, _) = time(|| page::page(&templates, &sheet.variant.solved, "bench", &sheet.label).unwrap());
        pages += t;
        typeset::evict_caches();
    }
    println!(
        "one self-check page in process:     {:8.1} ms   ({:.2}x one PDF document; mean of {n} distinct)",
        ms(pages / n),
        pages.as_secs_f64() / (single * n).as_secs_f64()
    );
    let args = ["generate", "configs/classic.yaml", "--format", "pdf,html", "--out", &out_path];
    let with_page = median_of_15(|| run(&bin, &args));
    println!(
        "classic pair and page, whole process: {:6.1} ms   ({:.2}x the pair alone)",
        ms(with_page),
        with_page.as_secs_f64() / classic.as_secs_f64()
    );

    // 3. 100 variants, all cores and one thread.
    let request = Request { seed: 7, count: 100, only: None, ..Default::default() };
    let formats = Formats { pdf: true, typ: false, png: false, html: false, moodle: false };
    let (all_cores, files) = time(|| {
        let mut files = Vec::new();
        batch::files(&spec, &templates, &request, formats, &|| {}, &mut files).unwrap();
        files
    });
    let documents = 200.0;
    let floor = single.as_secs_f64() * documents;
    println!(
        "100 variants, all cores:            {:8.1} ms   {:6.1} documents/s   {:.2}x the in-process floor ({:.0} ms; target <= 1.3x)",
        ms(all_cores),
        documents / all_cores.as_secs_f64(),
        all_cores.as_secs_f64() / floor,
        floor * 1000.0
    );
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (one_thread, _) =
        time(|| pool.install(|| batch::files(&spec, &templates, &request, formats, &|| {}, &mut Vec::new()).unwrap()));
    println!(
        "100 variants, one thread:           {:8.1} ms   {:6.1} documents/s",
        ms(one_thread),
        documents / one_thread.as_secs_f64()
    );
    drop(files);

    // 4. Whole-process batches: peak memory, and the time of 100 variants.
    let mut whole_100 = None;
    for n in [25, 100, 200] {
        let n_text = n.to_string();
        let args = [
            "generate",
            "configs/randomized.yaml",
            "--variants",
            &n_text,
            "--seed",
            "7",
            "--quiet",
            "--out",
            &out_path,
        ];
        let (elapsed, peak) = time(|| peak_memory_kib(&args));
        if n == 100 {
            whole_100 = Some(elapsed);
            println!(
                "100 variants, whole process:        {:8.1} ms   {:6.1} documents/s",
                ms(elapsed),
                documents / elapsed.as_secs_f64()
            );
        }
        match peak {
            Some(kib) => println!(
                "peak memory, {n:3} variants:          {:8.1} MiB   (target <= 150 MiB for 200)",
                kib as f64 / 1024.0
            ),
            None => println!("peak memory: /usr/bin/time not available"),
        }
    }

    // 5. The stock typst CLI on the same sources, one process each.
    if typst_cli {
        let sources = tempfile::tempdir().unwrap();
        let typ = Formats { pdf: false, typ: true, png: false, html: false, moodle: false };
        let mut files = Vec::new();
        batch::files(&spec, &templates, &request, typ, &|| {}, &mut files).unwrap();
        for f in &files {
            std::fs::write(sources.path().join(&f.name), &f.bytes).unwrap();
        }
        let typs: Vec<PathBuf> =
            files.iter().filter(|f| f.name.ends_with(".typ")).map(|f| sources.path().join(&f.name)).collect();
        let (cli, _) = time(|| {
            for path in &typs {
                typst_compile(path);
            }
        });
        println!(
            "typst CLI, {} sources:              {:8.1} ms   {:6.1} documents/s",
            typs.len(),
            ms(cli),
            typs.len() as f64 / cli.as_secs_f64()
        );
        println!(
            "ours vs the CLI:                    {:.2}x in process, {} as a whole process (target <= 0.35x)",
            all_cores.as_secs_f64() / cli.as_secs_f64(),
            whole_100.map_or("-".to_owned(), |t| format!("{:.2}x", t.as_secs_f64() / cli.as_secs_f64()))
        );
    } else {
        println!("typst CLI:                          not on PATH, comparison skipped");
    }
}
