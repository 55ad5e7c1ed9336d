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
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Label, Smart};
use typst::introspection::Tag;
use typst::layout::{Frame, FrameItem};
use typst::math::EquationElem;
use typst::model::Document as _;
use typst::model::FigureElem;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr, Scalar};
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};
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

/// Noto Naskh Arabic, for names in Arabic script: Libertinus Serif draws
/// Latin (Vietnamese too), Greek, Cyrillic and Hebrew, but no Arabic, which
/// Typst would otherwise set in the monospaced DejaVu Sans Mono. A Naskh suits
/// a serif page. 176 KB of the binary (SIL Open Font License, `fonts/OFL.txt`).
const ARABIC: &[u8] = include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf");

/// The fonts embedded by `typst-assets`, then [`ARABIC`], parsed once per
/// process. The Arabic font comes last, so a document without Arabic text
/// selects exactly the fonts it did before it was added.
///
/// `Font` is reference counted, so handing out clones neither copies nor
/// re-parses the font data.
static FONTS: LazyLock<Vec<Font>> =
    LazyLock::new(|| typst_assets::fonts().chain([ARABIC]).flat_map(|data| Font::iter(Bytes::new(data))).collect());

/// Whether an embedded font has a glyph for `c` (white space always prints).
pub fn can_draw(c: char) -> bool {
    c.is_whitespace() || FONTS.iter().any(|f| f.info().coverage.contains(c as u32))
}

/// The widths of `text` set in Libertinus Serif Regular, in em: on one line,
/// and its widest word (between spaces). Each character counts its glyph's
/// advance, and 2% more for Typst's kerning, which widens a few pairs by
/// thousandths of an em ("depends" by 0.007 em); a character the face lacks
/// counts 1 em, wider than its fallback glyph. The widths are upper bounds
/// (a test checks them against Typst's own measure): the room a model answer
/// needs is reckoned from them, in both versions alike.
pub fn text_widths_em(text: &str) -> (f64, f64) {
    /// What kerning may add to the advances.
    const KERNING: f64 = 1.02;
    static REGULAR: LazyLock<Option<typst::text::FontInstance>> = LazyLock::new(|| {
        let font = FONTS.iter().find(|f| {
            f.info().family == "Libertinus Serif" && f.info().variant == typst::text::FontVariant::default()
        })?;
        let size = typst::layout::Abs::pt(10.0);
        Some(font.clone().instantiate(typst::text::FontVariant::default(), size, &Default::default()))
    });
    let advance = |c: char| {
        REGULAR.as_ref().and_then(|f| f.ttf().glyph_index(c).and_then(|g| f.x_advance(g.0))).map_or(1.0, |em| em.get())
    };
    let words: Vec<f64> = text.split(' ').map(|w| w.chars().map(advance).sum::<f64>() * KERNING).collect();
    let total = words.iter().sum::<f64>() + advance(' ') * words.len().saturating_sub(1) as f64;
    (total, words.into_iter().fold(0.0, f64::max))
}

/// The index of [`FONTS`] that Typst selects fonts from, built once.
static BOOK: LazyLock<LazyHash<FontBook>> = LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

/// Typst's standard library, built once so its hash is computed once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The standard library with Typst's (experimental) HTML export turned on,
/// for the self-check page.
static HTML_LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    LazyHash::new(Library::builder().with_features([typst::Feature::Html].into_iter().collect()).build())
});

/// Parses the fonts and builds the font book and the standard library in the
/// background, so that neither the markup's first text widths nor the first
/// compile wait for them (they take about 5 ms, while the config is read and
/// the templates compiled).
pub fn warm_up() {
    rayon::spawn(|| {
        let _ = (&*BOOK, &*LIBRARY);
    });
}

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
    /// [`LIBRARY`], or [`HTML_LIBRARY`] for the page.
    library: &'static LazyHash<Library>,
}

impl World for SheetWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
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
    let world = SheetWorld { main: Source::new(*MAIN_ID, markup.to_owned()), library: &LIBRARY };
    match typst::compile::<PagedDocument>(&world).output {
        Ok(document) => Ok(Layout(document)),
        Err(errors) => Err(errors.iter().map(|error| to_diagnostic(&world, error)).collect()),
    }
}

/// A web page from Typst's HTML export (`Feature::Html`): the whole document,
/// equations as MathML and `html.frame`s as inline SVG.
#[derive(Debug)]
pub struct Html {
    /// The document, `<!DOCTYPE html>` to `</html>`.
    pub text: String,
    /// What the export left out ("… was ignored during HTML export"),
    /// positioned in the markup. Typst's own notice that the export is
    /// experimental is not among them.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles Typst `markup` into a web page with Typst's HTML export. Errors
/// as [`compile`]'s.
pub fn html(markup: &str) -> Result<Html, Vec<Diagnostic>> {
    let world = SheetWorld { main: Source::new(*MAIN_ID, markup.to_owned()), library: &HTML_LIBRARY };
    let compiled = typst::compile::<typst_html::HtmlDocument>(&world);
    let errors =
        |errors: &[SourceDiagnostic]| errors.iter().map(|error| to_diagnostic(&world, error)).collect::<Vec<_>>();
    let document = compiled.output.map_err(|e| errors(&e))?;
    let text = typst_html::html(&document, &typst_html::HtmlOptions::default()).map_err(|e| errors(&e))?;
    let warnings = compiled.warnings.iter().filter(|w| !w.span.is_detached());
    Ok(Html { text, warnings: warnings.map(|w| to_diagnostic(&world, w)).collect() })
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

/// Exports the whole document as a reproducible, accessible PDF: tagged, and
/// checked against PDF/UA-1 by typst-pdf (a formula or figure without alt
/// text, or a document without a title, is an error, not a silent gap).
///
/// `ident` must identify the document stably across runs (for example its
/// output name); it becomes the PDF's document identifier. No timestamp and no
/// Typst version is written, so equal markup gives equal bytes.
///
/// A document with text that the embedded fonts cannot draw (an emoji or a
/// Chinese name in a roster prints as an empty box) cannot be PDF/UA-1; it is
/// exported tagged, without the standard. [`undrawable`] names such text.
pub fn pdf(doc: &Layout, ident: &str) -> Result<Vec<u8>, String> {
    let standards = match undrawable(doc).is_empty() {
        true => PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| e.message().to_string())?,
        false => PdfStandards::default(),
    };
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        creator: Smart::Custom(None),
        timestamp: None,
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc.0, &options).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        format!("PDF export failed: {}", messages.join("; "))
    })
}

/// The characters of `doc` that no embedded font can draw, in order of first
/// appearance: they print as empty boxes.
pub fn undrawable(doc: &Layout) -> Vec<char> {
    fn walk(frame: &Frame, out: &mut Vec<char>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) => {
                    for glyph in text.glyphs.iter().filter(|g| g.id == 0) {
                        let missing = text.text.get(glyph.range()).unwrap_or_default().chars();
                        for c in missing.filter(|c| !c.is_whitespace()) {
                            if !out.contains(&c) {
                                out.push(c);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    doc.0.pages().iter().for_each(|page| walk(&page.frame, &mut out));
    out
}

/// The label of content only the answer key shows, in markup that lays out
/// both versions at once.
pub const KEY_ONLY: &str = "key-only";

/// The label of content only the student version shows.
pub const STUDENT_ONLY: &str = "student-only";

/// The label of the marker where the key's own pages start (its rubric of
/// common slips): the student version ends before the page that holds it.
pub const KEY_PAGES: &str = "key-pages";

/// The document without the content labelled `label`: the student version
/// (without [`KEY_ONLY`]) or the key (without [`STUDENT_ONLY`]) of a layout
/// of both.
///
/// Typst labels the frame of a labelled box or block, so the content is cut
/// out of the laid-out pages: everything else keeps its place, and what was
/// cut leaves no trace in a PDF or PNG exported from the result (its text,
/// shapes and introspection tags all live inside the labelled frame).
///
/// The student version ends before the page that holds the [`KEY_PAGES`]
/// marker, so the key's own pages at the end are not in it.
///
/// Alt texts of equations and figures, and the document's description, are
/// not content that can be cut: in markup of both versions they hold both
/// readings ([`READINGS`]), and the one of the other version is dropped here.
/// Frames that need no change are shared with `doc`, not copied.
pub fn without(doc: &Layout, label: &str) -> Layout {
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return doc.clone();
    };
    let key = label.resolve().as_str() == STUDENT_ONLY;
    let pages = doc.0.pages();
    let kept = match key {
        true => pages.len(),
        false => pages.iter().position(|page| marks_key_pages(&page.frame)).unwrap_or(pages.len()),
    };
    let pages = pages[..kept]
        .iter()
        .map(|page| {
            let mut page = page.clone();
            cut(&mut page.frame, label, key);
            page
        })
        .collect();
    let mut info = doc.0.info().clone();
    if let Some(description) = &info.description {
        info.description = Some(one_reading(description, key).into());
    }
    Layout(PagedDocument::new(pages, info))
}

/// The markers around the two readings of a text in markup of both versions:
/// `\u{E000}student reading\u{E001}key reading\u{E002}` (private-use characters,
/// which no config text can contain in the markup: templates print config
/// text escaped, and the escaping drops nothing else).
pub const READINGS: [char; 3] = ['\u{E000}', '\u{E001}', '\u{E002}'];

/// `text` with each pair of readings replaced by the key's (`key`) or the
/// student version's.
pub fn one_reading(text: &str, key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(READINGS[0]) {
        out.push_str(&rest[..open]);
        let pair = &rest[open + READINGS[0].len_utf8()..];
        let (Some(middle), Some(close)) = (pair.find(READINGS[1]), pair.find(READINGS[2])) else {
            // Not a pair of readings: keep the text as it is.
            out.push_str(&rest[open..]);
            return out;
        };
        let reading = if key { &pair[middle + READINGS[1].len_utf8()..close] } else { &pair[..middle] };
        out.push_str(reading);
        rest = &pair[close + READINGS[2].len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Removes the groups labelled `label` from `frame`, at any depth, and keeps
/// one reading of each alt text (the key's when `key`).
fn cut(frame: &mut Frame, label: Label, key: bool) {
    if !needs_cut(frame, label) {
        return;
    }
    frame.retain(|item| match item {
        FrameItem::Group(group) if group.label == Some(label) => false,
        FrameItem::Group(group) => {
            cut(&mut group.frame, label, key);
            true
        }
        FrameItem::Tag(Tag::Start(content, _)) => {
            if let Some(alt) = two_readings(content) {
                let alt = Some(one_reading(&alt, key).into());
                if let Some(mut equation) = content.to_packed::<EquationElem>().cloned() {
                    equation.alt.set(alt);
                    *content = equation.pack();
                } else if let Some(mut figure) = content.to_packed::<FigureElem>().cloned() {
                    figure.alt.set(alt);
                    *content = figure.pack();
                }
            }
            true
        }
        _ => true,
    });
}

/// The alt text of an equation or figure, when it holds two readings.
fn two_readings(content: &typst::foundations::Content) -> Option<String> {
    let alt = if let Some(equation) = content.to_packed::<EquationElem>() {
        equation.alt.as_option().clone().flatten()
    } else {
        content.to_packed::<FigureElem>()?.alt.as_option().clone().flatten()
    };
    alt.filter(|a| a.contains(READINGS[0])).map(|a| a.to_string())
}

/// Whether `frame` holds, at any depth, the [`KEY_PAGES`] marker.
fn marks_key_pages(frame: &Frame) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Group(group) => marks_key_pages(&group.frame),
        FrameItem::Tag(Tag::Start(content, _)) => content.label().is_some_and(|l| l.resolve().as_str() == KEY_PAGES),
        _ => false,
    })
}

/// Whether `frame` has, at any depth, a group labelled `label` or an alt text
/// with two readings.
fn needs_cut(frame: &Frame, label: Label) -> bool {
    frame.items().any(|(_, item)| match item {
        FrameItem::Group(group) => group.label == Some(label) || needs_cut(&group.frame, label),
        FrameItem::Tag(Tag::Start(content, _)) => two_readings(content).is_some(),
        _ => false,
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

    const SMALL: &str =
        "#set document(title: \"Small\", date: none)\n= Title\n#math.equation(alt: \"x squared\", $x^2$)\n";

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
    fn without_cuts_labelled_content_and_keeps_the_rest_in_place() {
        let markup = "#set document(title: \"Cut\", date: none)\nBefore #box[secret one]<key-only> after.\n\n#block[secret two]<key-only>\n#box[for students]<student-only>\n\n#pagebreak()\nPage two #box(box[secret three])<key-only>.";
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
    fn each_version_keeps_its_own_reading_of_alt_texts_and_the_description() {
        let markup =
            "#set document(title: \"T\", description: \"About \u{E000}the student version\u{E001}the key\u{E002}.\")\n\
            #math.equation(alt: \"x equals \u{E000}blank\u{E001}2\u{E002}\", $x = 2$)\n\
            #figure(alt: \"\u{E000}an empty grid\u{E001}a parabola\u{E002}\", box(width: 1cm, height: 1cm))";
        let doc = compile(markup).expect("compiles");
        let alts = |d: &Layout| {
            let mut out = Vec::new();
            fn walk(frame: &Frame, out: &mut Vec<String>) {
                for (_, item) in frame.items() {
                    match item {
                        FrameItem::Tag(Tag::Start(content, _)) => {
                            if let Some(eq) = content.to_packed::<EquationElem>() {
                                out.extend(eq.alt.as_option().clone().flatten().map(|a| a.to_string()));
                            }
                            if let Some(figure) = content.to_packed::<FigureElem>() {
                                out.extend(figure.alt.as_option().clone().flatten().map(|a| a.to_string()));
                            }
                        }
                        FrameItem::Group(group) => walk(&group.frame, out),
                        _ => {}
                    }
                }
            }
            d.0.pages().iter().for_each(|page| walk(&page.frame, &mut out));
            out
        };
        let (student, key) = (without(&doc, KEY_ONLY), without(&doc, STUDENT_ONLY));
        assert_eq!(alts(&student), ["x equals blank", "an empty grid"]);
        assert_eq!(alts(&key), ["x equals 2", "a parabola"]);
        assert_eq!(student.0.info().description.as_deref(), Some("About the student version."));
        assert_eq!(key.0.info().description.as_deref(), Some("About the key."));
        // Both export under PDF/UA-1, and neither holds the other's reading.
        let student_pdf = String::from_utf8_lossy(&pdf(&student, "s").expect("exports")).to_string();
        assert!(!student_pdf.contains("parabola"));
        pdf(&key, "k").expect("exports");
    }

    #[test]
    fn text_the_fonts_cannot_draw_is_named_and_exported_without_the_standard() {
        let doc = compile("#set document(title: \"T\")\nZoë 🙂 李明").expect("compiles");
        assert_eq!(undrawable(&doc), ['🙂', '李', '明']);
        let bytes = pdf(&doc, "tofu").expect("exports, tagged but not PDF/UA-1");
        assert!(!String::from_utf8_lossy(&bytes).contains("pdfuaid"), "claims PDF/UA");
        let fine = pdf(&compile("#set document(title: \"T\")\nZoë").unwrap(), "fine").unwrap();
        assert!(String::from_utf8_lossy(&fine).contains("pdfuaid"), "PDF/UA-1 is declared in the metadata");
    }

    #[test]
    fn one_reading_keeps_text_outside_the_markers() {
        assert_eq!(one_reading("a \u{E000}s\u{E001}k\u{E002} b \u{E000}\u{E001}K\u{E002}", true), "a k b K");
        assert_eq!(one_reading("a \u{E000}s\u{E001}k\u{E002} b \u{E000}\u{E001}K\u{E002}", false), "a s b ");
        assert_eq!(one_reading("no markers", false), "no markers");
        assert_eq!(one_reading("unclosed \u{E000}s", true), "unclosed \u{E000}s");
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
