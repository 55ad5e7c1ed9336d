//! The typeset stage: Typst markup in, laid-out document, PDF and PNG out.
//!
//! Worksheets are rendered in-process with the Typst compiler so the tool is
//! one self-contained binary: no `typst` executable, no network, no system
//! fonts. Output must depend only on the markup, so
//!
//! - the only fonts are the ones embedded by `typst-assets`, parsed once per
//!   process and shared (reference counted) by every compile;
//! - the markup can read no files, no packages and not the clock
//!   (`datetime.today()` is an error);
//! - every document is compiled under one fixed virtual path, because Typst
//!   interns file ids for the life of the process and caps them at 65,535;
//! - PDFs carry a caller-chosen identifier, no timestamp and no Typst version
//!   string, so the same markup always gives the same bytes.
//!
//! The standard library and font book are built and hashed once per process
//! too: a `typst_as_lib::TypstEngine` built per document rebuilds both, and
//! rehashing the library costs about a millisecond per compile, several times
//! the whole compile of a small document. So this module implements
//! [`typst::World`] itself, around statics, instead of going through
//! typst-as-lib.
//!
//! Typst's memoization caches are global to the process. Compiles here never
//! evict them on their own; batches call [`evict_caches`] between chunks to
//! bound memory.

// Page sizes and resolutions are measurements in points and pixels, not answers.
#![allow(clippy::disallowed_types)]

use std::fmt;
use std::num::NonZeroUsize;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Label, Smart};
use typst::layout::{Frame, FrameItem, PageRanges};
use typst::model::Document as _;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr, Scalar};
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;
use typst_render::RenderOptions;

/// The one virtual path every document is compiled under.
///
/// File ids are interned for the whole process (at most 65,535 of them), so
/// this path is reused for every document instead of minting one per document.
const MAIN_PATH: &str = "/worksheet.typ";

/// How many typographic points make an inch.
const POINTS_PER_INCH: f64 = 72.0;

/// The largest raster [`png`] agrees to allocate, in pixels (512 MiB of RGBA).
const MAX_PIXELS: f64 = 134_217_728.0;

/// The largest width or height [`png`] agrees to render, in pixels.
const MAX_SIDE: f64 = 65_535.0;

/// The fonts embedded by `typst-assets`, parsed once per process.
///
/// `Font` is reference counted, so handing out clones neither copies nor
/// re-parses the font data.
static FONTS: LazyLock<Vec<Font>> =
    LazyLock::new(|| typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect());

/// The index of [`FONTS`] that Typst selects fonts from, built once.
static BOOK: LazyLock<LazyHash<FontBook>> = LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

/// Typst's standard library, built once so its hash is computed once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The interned file id of [`MAIN_PATH`].
static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| {
    // MAIN_PATH is a constant, valid path (checked by a test), so this cannot
    // fail at run time; typst-syntax's own `Source::detached` does the same.
    let vpath = VirtualPath::new(MAIN_PATH).expect("MAIN_PATH is a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
});

/// The world one document is compiled in: its markup, plus the shared
/// library and fonts. Nothing else exists in it.
struct SheetWorld {
    /// The markup, as the one source file.
    main: Source,
}

impl World for SheetWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The error for any file other than the markup itself.
fn not_found(id: FileId) -> FileError {
    let path = id.get();
    if matches!(path.root(), VirtualRoot::Package(_)) {
        return FileError::Other(Some(
            "packages are not available: worksheets are typeset offline, with Typst's built-in functions only".into(),
        ));
    }
    FileError::NotFound(path.vpath().get_with_slash().into())
}

/// A laid-out document, ready to be exported as PDF or PNG.
#[derive(Debug, Clone)]
pub struct Layout(PagedDocument);

impl Layout {
    /// The number of pages in the document.
    pub fn page_count(&self) -> usize {
        self.0.pages().len()
    }

    /// The underlying Typst document, for callers that need more than this
    /// module exports.
    pub fn as_paged(&self) -> &PagedDocument {
        &self.0
    }
}

/// A compile error, positioned in the markup that was compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line in the markup; 0 when Typst gave no position.
    pub line: usize,
    /// 1-based column (in characters) in the markup; 0 when Typst gave no
    /// position.
    pub column: usize,
    /// What Typst says is wrong.
    pub message: String,
    /// Typst's suggestions for fixing it.
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "error: {}", self.message)?;
        } else {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Compiles Typst `markup` into a laid-out document.
///
/// Only the embedded fonts are available, and the markup cannot read files or
/// packages. On failure every error is returned, positioned in `markup`;
/// warnings are ignored.
pub fn compile(markup: &str) -> Result<Layout, Vec<Diagnostic>> {
    let world = SheetWorld { main: Source::new(*MAIN_ID, markup.to_owned()) };
    match typst::compile::<PagedDocument>(&world).output {
        Ok(document) => Ok(Layout(document)),
        Err(errors) => Err(errors.iter().map(|error| to_diagnostic(&world, error)).collect()),
    }
}

/// Positions one Typst error in the markup, if it points there.
fn to_diagnostic(world: &SheetWorld, error: &SourceDiagnostic) -> Diagnostic {
    let source = &world.main;
    let position = if error.span.id() == Some(source.id()) {
        world.range(error.span).and_then(|range| source.lines().byte_to_line_column(range.start))
    } else {
        None
    };
    let (line, column) = position.map_or((0, 0), |(line, column)| (line + 1, column + 1));
    Diagnostic {
        line,
        column,
        message: error.message.to_string(),
        hints: error.hints.iter().map(|hint| hint.v.to_string()).collect(),
    }
}

/// Empties Typst's process-wide memoization caches.
///
/// Compiles never evict on their own; batch code calls this between chunks
/// to keep memory bounded. Nothing is kept: the sheets of a batch share no
/// layout (measured: keeping the caches made a batch slower, not faster), and
/// the standard library and fonts are built outside the caches.
pub fn evict_caches() {
    typst::comemo::evict(0);
}

/// Exports the whole document as a reproducible PDF.
///
/// `ident` must identify the document stably across runs (for example its
/// output name); it becomes the PDF's document identifier. No timestamp and no
/// Typst version is written, so equal markup gives equal bytes.
pub fn pdf(doc: &Layout, ident: &str) -> Result<Vec<u8>, String> {
    export_pdf(doc, ident, None)
}

/// Exports the 1-based, inclusive range `pages` of the document as a
/// reproducible PDF, like [`pdf`].
///
/// The result is an untagged PDF (no accessibility structure tree): typst-pdf
/// cannot build the tag tree for a subset of pages.
///
/// Fails if the range is empty, starts at 0 or goes past the last page.
pub fn pdf_pages(doc: &Layout, ident: &str, pages: RangeInclusive<usize>) -> Result<Vec<u8>, String> {
    let (first, last) = (*pages.start(), *pages.end());
    let count = doc.page_count();
    let (Some(start), Some(end)) = (NonZeroUsize::new(first), NonZeroUsize::new(last)) else {
        return Err(format!("page range {first}..={last}: pages are numbered from 1"));
    };
    if first > last || last > count {
        return Err(format!("page range {first}..={last} does not fit a document of {count} page(s)"));
    }
    let ranges = PageRanges::new(vec![Some(start)..=Some(end)]);
    export_pdf(doc, ident, Some(ranges))
}

/// The label of content only the answer key shows, in markup that lays out
/// both versions at once.
pub const KEY_ONLY: &str = "key-only";

/// The label of content only the student version shows.
pub const STUDENT_ONLY: &str = "student-only";

/// The document without the content labelled `label`.
///
/// Typst labels the frame of a labelled box or block, so the content is cut
/// out of the laid-out pages: everything else keeps its place, and what was
/// cut leaves no trace in a PDF or PNG exported from the result (its text,
/// shapes and introspection tags all live inside the labelled frame). Frames
/// that do not contain the label are shared with `doc`, not copied.
pub fn without(doc: &Layout, label: &str) -> Layout {
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return doc.clone();
    };
    let pages = doc
        .0
        .pages()
        .iter()
        .map(|page| {
            let mut page = page.clone();
            cut(&mut page.frame, label);
            page
        })
        .collect();
    Layout(PagedDocument::new(pages, doc.0.info().clone()))
}

/// Removes the groups labelled `label` from `frame`, at any depth.
fn cut(frame: &mut Frame, label: Label) {
    if !holds(frame, label) {
        return;
    }
    frame.retain(|item| match item {
        FrameItem::Group(group) if group.label == Some(label) => false,
        FrameItem::Group(group) => {
            cut(&mut group.frame, label);
            true
        }
        _ => true,
    });
}

/// Whether `frame` has a group labelled `label`, at any depth.
fn holds(frame: &Frame, label: Label) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Group(group) => group.label == Some(label) || holds(&group.frame, label),
        _ => false,
    })
}

/// The PDF export shared by [`pdf`] and [`pdf_pages`].
fn export_pdf(doc: &Layout, ident: &str, page_ranges: Option<PageRanges>) -> Result<Vec<u8>, String> {
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        creator: Smart::Custom(None),
        timestamp: None,
        // typst-pdf refuses to tag a PDF that exports only some pages, so a
        // page subset is written untagged; a whole document stays tagged.
        tagged: page_ranges.is_none(),
        page_ranges,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc.0, &options).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        format!("PDF export failed: {}", messages.join("; "))
    })
}

/// Renders the 0-based `page` of the document as a PNG at `pixels_per_inch`.
///
/// Fails if the page does not exist, the resolution is not a positive finite
/// number, or the image would be unreasonably large.
pub fn png(doc: &Layout, page: usize, pixels_per_inch: f32) -> Result<Vec<u8>, String> {
    let count = doc.page_count();
    let Some(page_ref) = doc.0.pages().get(page) else {
        return Err(format!("page {page} (0-based) does not exist in a document of {count} page(s)"));
    };
    if !pixels_per_inch.is_finite() || pixels_per_inch <= 0.0 {
        return Err(format!("resolution must be a positive number of pixels per inch, not {pixels_per_inch}"));
    }
    let pixel_per_pt = f64::from(pixels_per_inch) / POINTS_PER_INCH;
    // typst-render panics if tiny-skia cannot allocate the canvas; refuse
    // sizes that could get there before rendering.
    let size = page_ref.frame.size();
    let width = (size.x.to_pt() * pixel_per_pt).round().max(1.0);
    let height = (size.y.to_pt() * pixel_per_pt).round().max(1.0);
    if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS {
        return Err(format!(
            "page {page} at {pixels_per_inch} pixels per inch would be {width}x{height} pixels, too large"
        ));
    }
    let options = RenderOptions { pixel_per_pt: Scalar::new(pixel_per_pt), render_bleed: false };
    typst_render::render(page_ref, &options).encode_png().map_err(|error| format!("PNG encoding failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "#set document(date: none)\n= Title\n$x^2$\n";

    #[test]
    fn small_document_compiles_to_one_page_pdf() {
        let doc = compile(SMALL).expect("compiles");
        assert_eq!(doc.page_count(), 1);
        let bytes = pdf(&doc, "small").expect("exports");
        assert!(bytes.starts_with(b"%PDF"));
    }

    #[test]
    fn pdf_is_reproducible_and_has_no_version() {
        let first = pdf(&compile(SMALL).expect("compiles"), "same").expect("exports");
        let second = pdf(&compile(SMALL).expect("compiles"), "same").expect("exports");
        assert_eq!(first, second);
        let text = String::from_utf8_lossy(&first);
        assert!(!text.contains("Typst 0."), "PDF names the Typst version");
    }

    #[test]
    fn error_is_positioned_in_markup() {
        let errors = compile("= Title\nText\nValue #nope here\n").expect_err("fails");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert_eq!(errors[0].column, 8);
        assert!(errors[0].message.contains("nope"), "{}", errors[0]);
        assert_eq!(errors[0].to_string().lines().next().map(|l| l.starts_with("3:8: ")), Some(true));
    }

    #[test]
    fn syntax_error_is_positioned_in_markup() {
        let errors = compile("a\nb\n#let x = \n").expect_err("fails");
        assert!(errors.iter().any(|e| e.line == 3), "{errors:?}");
    }

    #[test]
    fn page_subset_and_bounds() {
        let doc = compile("#set document(date: none)\nA\n#pagebreak()\nB\n#pagebreak()\nC\n").expect("compiles");
        assert_eq!(doc.page_count(), 3);
        let bytes = pdf_pages(&doc, "subset", 2..=3).expect("exports");
        assert!(bytes.starts_with(b"%PDF"));
        assert!(pdf_pages(&doc, "subset", 0..=1).is_err());
        assert!(pdf_pages(&doc, "subset", 2..=4).is_err());
        assert!(pdf_pages(&doc, "subset", RangeInclusive::new(3, 2)).is_err());
    }

    #[test]
    fn without_cuts_labelled_content_and_keeps_the_rest_in_place() {
        let markup = "#set document(date: none)\nBefore #box[secret one]<key-only> after.\n\n#block[secret two]<key-only>\n#box[for students]<student-only>\n\n#pagebreak()\nPage two #box(box[secret three])<key-only>.";
        let doc = compile(markup).expect("compiles");
        let student = without(&doc, KEY_ONLY);
        let key = without(&doc, STUDENT_ONLY);
        assert_eq!(student.page_count(), 2);
        let texts = |d: &Layout| {
            let mut out = Vec::new();
            fn walk(frame: &Frame, out: &mut Vec<String>) {
                for (_, item) in frame.items() {
                    match item {
                        FrameItem::Text(text) => out.push(text.text.to_string()),
                        FrameItem::Group(group) => walk(&group.frame, out),
                        _ => {}
                    }
                }
            }
            for page in d.0.pages() {
                walk(&page.frame, &mut out);
            }
            out.join(" ")
        };
        let (all, student_text, key_text) = (texts(&doc), texts(&student), texts(&key));
        assert!(all.contains("secret") && all.contains("students"), "{all}");
        assert!(!student_text.contains("secret") && student_text.contains("students"), "{student_text}");
        assert!(key_text.contains("secret three") && !key_text.contains("students"), "{key_text}");
        assert!(student_text.contains("Before") && student_text.contains("Page two"), "{student_text}");
        // What stays keeps its place: "after." has the same position either way.
        let position = |d: &Layout| {
            d.0.pages()[0].frame.items().find_map(|(pos, item)| match item {
                FrameItem::Text(text) if text.text.contains("after") => Some(*pos),
                _ => None,
            })
        };
        assert_eq!(position(&student), position(&doc));
        // Exports work on the cut document.
        assert!(pdf(&student, "cut").expect("exports").starts_with(b"%PDF"));
        // A label that is nowhere cuts nothing.
        assert_eq!(texts(&without(&doc, "absent")), all);
    }

    #[test]
    fn png_has_magic_and_checks_arguments() {
        let doc = compile("#set page(width: 2cm, height: 1cm)\n$x^2$").expect("compiles");
        let bytes = png(&doc, 0, 72.0).expect("renders");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png(&doc, 1, 72.0).is_err());
        assert!(png(&doc, 0, 0.0).is_err());
        assert!(png(&doc, 0, f32::NAN).is_err());
        assert!(png(&doc, 0, f32::INFINITY).is_err());
        assert!(png(&doc, 0, 1.0e9).is_err());
    }

    #[test]
    fn main_path_is_valid_and_other_files_are_missing() {
        let id = *MAIN_ID;
        assert_eq!(id.get().vpath().get_with_slash(), MAIN_PATH);
        let errors = compile("#read(\"other.txt\")").expect_err("no files");
        assert_eq!(errors[0].line, 1, "{errors:?}");
        assert!(compile("#datetime.today()").is_err());
    }

    /// Times one-time setup and the compile of small documents.
    /// Run with `cargo test --lib typeset::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use std::time::Instant;
        let start = Instant::now();
        let _ = (FONTS.len(), &*BOOK, &*LIBRARY);
        let setup = start.elapsed();
        let _ = compile(SMALL);
        let rounds = 50u32;
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(compile(SMALL).expect("compiles"));
        }
        let same = start.elapsed() / rounds;
        let start = Instant::now();
        for i in 0..rounds {
            let markup = format!("{SMALL}\nRound {i}.\n");
            std::hint::black_box(compile(&markup).expect("compiles"));
        }
        let varied = start.elapsed() / rounds;
        println!("one-time setup: {setup:?}; same small doc: {same:?}; varied small doc: {varied:?}");
    }
}
