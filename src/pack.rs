//! Class packs: many finished PDFs joined into one, page for page.
//!
//! Joining the PDFs (instead of keeping every laid-out document until the end
//! of a batch) keeps a batch's memory flat: each sheet is laid out, exported
//! and dropped, and the pack is written to its file one source PDF at a time,
//! so only one source's objects are ever held in memory.
//!
//! The PDFs joined are the ones this program just wrote, so a source is read
//! only as far as joining needs: its cross-reference table, the page tree, and
//! the objects its pages use (fonts, images, contents, links), found by
//! following references from the pages. Those objects are copied byte for
//! byte, with their references renumbered; streams are never decoded. The
//! document-level rest (the catalog, outlines, the accessibility structure
//! tree, metadata) is not read at all: the pack has none of them.

use std::io::Write;

use crate::error::{Error, Result};

/// Object types that belong to a source document as a whole, not to its
/// pages: a reference to one from what a page uses becomes `null`.
const DOCUMENT_LEVEL: [&[u8]; 6] = [b"Catalog", b"Pages", b"StructTreeRoot", b"StructElem", b"Outlines", b"Outline"];

/// Page attributes a page may inherit from the nodes of the page tree above it.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Page entries the pack leaves out: its own page tree is the parent, and the
/// source's structure tree is not carried over.
const DROPPED: [&[u8]; 2] = [b"Parent", b"StructParents"];

/// The object number of the pack's page tree.
const PAGES_ID: u32 = 1;

/// The US Letter page, for a blank page after a source without a media box.
const LETTER: &[u8] = b"[0 0 612 792]";

/// What a lexical token of PDF syntax is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
    /// `/Name`.
    Name,
    /// A literal `(…)` or hexadecimal `<…>` string.
    String,
    /// A number, `R`, `obj`, `stream`, `true`, …
    Word,
}

/// A token: its kind and where it is.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// The token that starts at or after `at`, skipping white space and comments.
fn token(pdf: &[u8], mut at: usize) -> Option<Token> {
    loop {
        while at < pdf.len() && is_space(pdf[at]) {
            at += 1;
        }
        if pdf.get(at) != Some(&b'%') {
            break;
        }
        while at < pdf.len() && !matches!(pdf[at], b'\n' | b'\r') {
            at += 1;
        }
    }
    let start = at;
    let rest = pdf.get(at..)?;
    let (kind, len) = match rest.first()? {
        b'<' if rest.get(1) == Some(&b'<') => (Kind::DictOpen, 2),
        b'>' if rest.get(1) == Some(&b'>') => (Kind::DictClose, 2),
        b'[' => (Kind::ArrayOpen, 1),
        b']' => (Kind::ArrayClose, 1),
        b'<' => (Kind::String, rest.iter().position(|&b| b == b'>')? + 1),
        b'(' => {
            let (mut depth, mut i) = (0usize, 0);
            loop {
                match *rest.get(i)? {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            (Kind::String, i + 1)
        }
        b'/' => {
            (Kind::Name, 1 + rest[1..].iter().position(|&b| is_space(b) || is_delimiter(b)).unwrap_or(rest.len() - 1))
        }
        b if is_delimiter(*b) => return None,
        _ => (Kind::Word, rest.iter().position(|&b| is_space(b) || is_delimiter(b)).unwrap_or(rest.len())),
    };
    Some(Token { kind, start, end: start + len })
}

/// The token's text.
fn text(pdf: &[u8], t: Token) -> &[u8] {
    &pdf[t.start..t.end]
}

/// The token as an object or generation number.
fn number(pdf: &[u8], t: Token) -> Option<u32> {
    let digits = text(pdf, t);
    if t.kind != Kind::Word || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The object number of the reference `N G R` that starts with the token
/// `first`, and where the reference ends.
fn reference(pdf: &[u8], first: Token) -> Option<(u32, usize)> {
    let id = number(pdf, first)?;
    let generation = token(pdf, first.end)?;
    number(pdf, generation)?;
    let r = token(pdf, generation.end)?;
    (text(pdf, r) == b"R").then_some((id, r.end))
}

/// Where the value that starts with the token `first` ends (a reference,
/// array or dictionary counts as one value).
fn value_end(pdf: &[u8], first: Token) -> Option<usize> {
    match first.kind {
        Kind::DictOpen | Kind::ArrayOpen => {
            let mut depth = 0usize;
            let mut t = first;
            loop {
                match t.kind {
                    Kind::DictOpen | Kind::ArrayOpen => depth += 1,
                    Kind::DictClose | Kind::ArrayClose => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(t.end);
                        }
                    }
                    _ => {}
                }
                t = token(pdf, t.end)?;
            }
        }
        Kind::DictClose | Kind::ArrayClose => None,
        Kind::Word => Some(reference(pdf, first).map_or(first.end, |(_, end)| end)),
        Kind::Name | Kind::String => Some(first.end),
    }
}

/// The entries of the dictionary `dict` (its text, `<<` to `>>`): each key
/// without its slash, and its value's text.
fn entries(dict: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let open = token(dict, 0)?;
    if open.kind != Kind::DictOpen {
        return None;
    }
    let mut out = Vec::new();
    let mut at = open.end;
    loop {
        let key = token(dict, at)?;
        match key.kind {
            Kind::DictClose => return Some(out),
            Kind::Name => {
                let value = token(dict, key.end)?;
                let end = value_end(dict, value)?;
                out.push((&dict[key.start + 1..key.end], &dict[value.start..end]));
                at = end;
            }
            _ => return None,
        }
    }
}

/// The value of `key` in a dictionary's entries.
fn get<'a>(entries: &[(&[u8], &'a [u8])], key: &[u8]) -> Option<&'a [u8]> {
    entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The object number a value refers to.
fn referenced(value: &[u8]) -> Option<u32> {
    reference(value, token(value, 0)?).map(|(id, _)| id)
}

/// Calls `found` with the object number of every reference in `text`.
fn each_reference(text: &[u8], mut found: impl FnMut(u32)) {
    let mut at = 0;
    while let Some(t) = token(text, at) {
        at = match reference(text, t) {
            Some((id, end)) => {
                found(id);
                end
            }
            None => t.end,
        };
    }
}

/// Writes `text` with every reference renumbered by `renumber` (`null` for
/// an object the pack does not have).
fn write_renumbered(out: &mut Vec<u8>, text: &[u8], renumber: impl Fn(u32) -> Option<u32>) {
    let (mut at, mut copied) = (0, 0);
    while let Some(t) = token(text, at) {
        at = match reference(text, t) {
            Some((id, end)) => {
                out.extend_from_slice(&text[copied..t.start]);
                match renumber(id) {
                    Some(new) => {
                        let _ = write!(out, "{new} 0 R");
                    }
                    None => out.extend_from_slice(b"null"),
                }
                copied = end;
                end
            }
            None => t.end,
        };
    }
    out.extend_from_slice(&text[copied..]);
}

/// One object of a source PDF, as the pack copies it.
#[derive(Debug)]
enum Body<'a> {
    /// A page: its entries, less [`DROPPED`], with what it inherits.
    Page(Vec<(&'a [u8], &'a [u8])>),
    /// Any other object: its value's text and, for a stream, the stream's bytes.
    Other(&'a [u8], Option<&'a [u8]>),
}

/// A PDF read for [`Pack::add`] (see [`parse`]): the objects its pages use,
/// by object number, and its pages in order.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// Sorted by object number.
    objects: Vec<(u32, Body<'a>)>,
    /// Object numbers, in page order.
    pages: Vec<u32>,
}

/// A source PDF's objects, found through its cross-reference table.
struct Source<'a> {
    pdf: &'a [u8],
    /// Where each object starts, by object number (0: not in use).
    offsets: Vec<usize>,
}

impl<'a> Source<'a> {
    fn read(pdf: &'a [u8]) -> Option<(Source<'a>, u32)> {
        let tail = pdf.len().saturating_sub(64);
        let at = tail + pdf[tail..].windows(9).rposition(|w| w == b"startxref")? + 9;
        let offset = token(pdf, at)?;
        let mut at: usize = std::str::from_utf8(text(pdf, offset)).ok()?.parse().ok()?;
        let xref = token(pdf, at)?;
        if text(pdf, xref) != b"xref" {
            return None;
        }
        at = xref.end;
        let mut offsets = Vec::new();
        loop {
            let first = token(pdf, at)?;
            if text(pdf, first) == b"trailer" {
                let dict = token(pdf, first.end)?;
                let trailer = entries(&pdf[dict.start..value_end(pdf, dict)?])?;
                let root = referenced(get(&trailer, b"Root")?)?;
                return Some((Source { pdf, offsets }, root));
            }
            let count = token(pdf, first.end)?;
            let (first_id, count) = (number(pdf, first)? as usize, number(pdf, count)? as usize);
            at = token(pdf, first.end)?.end;
            for id in first_id..first_id + count {
                let offset = token(pdf, at)?;
                let generation = token(pdf, offset.end)?;
                let kind = token(pdf, generation.end)?;
                at = kind.end;
                if text(pdf, kind) == b"n" {
                    if offsets.len() <= id {
                        offsets.resize(id + 1, 0);
                    }
                    offsets[id] = std::str::from_utf8(text(pdf, offset)).ok()?.parse().ok()?;
                }
            }
        }
    }

    /// Object `id`: its value's text and, for a stream, its bytes.
    fn object(&self, id: u32) -> Option<(&'a [u8], Option<&'a [u8]>)> {
        let pdf = self.pdf;
        let offset = *self.offsets.get(id as usize).filter(|&&o| o != 0)?;
        let own = token(pdf, offset)?;
        let generation = token(pdf, own.end)?;
        let obj = token(pdf, generation.end)?;
        if number(pdf, own)? != id || text(pdf, obj) != b"obj" {
            return None;
        }
        let value = token(pdf, obj.end)?;
        let end = value_end(pdf, value)?;
        let body = &pdf[value.start..end];
        let next = token(pdf, end)?;
        if text(pdf, next) != b"stream" {
            return Some((body, None));
        }
        let mut start = next.end;
        start += match pdf.get(start..start + 2)? {
            b"\r\n" => 2,
            [b'\n', _] => 1,
            _ => return None,
        };
        let length = get(&entries(body)?, b"Length")?;
        let length: usize = std::str::from_utf8(length).ok()?.parse().ok()?;
        let data = pdf.get(start..start + length)?;
        let after = token(pdf, start + length)?;
        (text(pdf, after) == b"endstream").then_some((body, Some(data)))
    }

    /// The dictionary entries of object `id`.
    fn dictionary(&self, id: u32) -> Option<Vec<(&'a [u8], &'a [u8])>> {
        entries(self.object(id)?.0)
    }

    /// Collects the pages under the page tree node `id`, in order, with the
    /// attributes they inherit from `inherited`.
    fn pages(
        &self,
        id: u32,
        inherited: &[(&'a [u8], &'a [u8])],
        pages: &mut Vec<(u32, Body<'a>)>,
        depth: usize,
    ) -> Option<()> {
        let node = self.dictionary(id)?;
        match get(&node, b"Type")? {
            b"/Pages" if depth < 64 => {
                let mut passed = inherited.to_vec();
                for (key, value) in node.iter().filter(|(k, _)| INHERITED.contains(k)) {
                    passed.retain(|(k, _)| k != key);
                    passed.push((key, value));
                }
                let kids = get(&node, b"Kids")?;
                let mut kid_ids = Vec::new();
                each_reference(kids, |kid| kid_ids.push(kid));
                for kid in kid_ids {
                    self.pages(kid, &passed, pages, depth + 1)?;
                }
            }
            b"/Page" => {
                let mut page: Vec<_> = node.into_iter().filter(|(k, _)| !DROPPED.contains(k)).collect();
                for (key, value) in inherited {
                    if get(&page, key).is_none() {
                        page.push((key, value));
                    }
                }
                pages.push((id, Body::Page(page)));
            }
            _ => return None,
        }
        Some(())
    }
}

/// Reads one finished PDF for [`Pack::add`]: its pages, and the objects they
/// use. Reading is independent for each PDF, so callers may read in parallel.
pub fn parse(pdf: &[u8]) -> Result<Parsed<'_>> {
    read(pdf).ok_or_else(|| Error::msg("cannot join the class pack: a sheet's PDF is not one this program wrote"))
}

fn read(pdf: &[u8]) -> Option<Parsed<'_>> {
    let (source, root) = Source::read(pdf)?;
    let catalog = source.dictionary(root)?;
    let mut pages = Vec::new();
    source.pages(referenced(get(&catalog, b"Pages")?)?, &[], &mut pages, 0)?;
    let page_ids: Vec<u32> = pages.iter().map(|(id, _)| *id).collect();
    // Everything the pages use, found by following references.
    let mut seen = vec![false; source.offsets.len()];
    let mut todo = Vec::new();
    for (id, body) in &pages {
        seen[*id as usize] = true;
        if let Body::Page(entries) = body {
            entries.iter().for_each(|(_, value)| each_reference(value, |r| todo.push(r)));
        }
    }
    let mut objects = pages;
    while let Some(id) = todo.pop() {
        match seen.get_mut(id as usize) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        let Some((body, stream)) = source.object(id) else { continue };
        let kind = entries(body).and_then(|e| get(&e, b"Type").map(|t| t.get(1..).unwrap_or_default().to_vec()));
        if kind.is_some_and(|k| DOCUMENT_LEVEL.contains(&k.as_slice())) {
            continue;
        }
        each_reference(body, |r| todo.push(r));
        objects.push((id, Body::Other(body, stream)));
    }
    objects.sort_unstable_by_key(|(id, _)| *id);
    Some(Parsed { objects, pages: page_ids })
}

/// The pages of a PDF copied into a pack.
struct Copied {
    /// Their object numbers in the pack, in order.
    pages: Vec<u32>,
    /// The last one's media box, as written (for a blank page after it).
    media_box: Vec<u8>,
}

/// A class pack being written: PDFs appended one at a time, page for page,
/// straight to `out`, so only the PDF being appended is ever held in memory.
///
/// A PDF added as a sheet is followed by a blank page if it has an odd number
/// of pages, so each sheet starts on a fresh sheet of paper when printed
/// double-sided. Objects are copied as they are (no re-encoding, which would
/// tie the bytes to the deflate backend the build linked).
pub struct Pack<W: Write> {
    out: W,
    /// Bytes written so far: the offset of the next object.
    written: usize,
    /// Where each object starts, by object number.
    offsets: Vec<(u32, usize)>,
    /// The pages' object numbers, in order.
    kids: Vec<u32>,
    /// The object numbers of the pages that go after all of those of `kids`.
    last: Vec<u32>,
    next_id: u32,
    /// A reused buffer for serializing one object.
    buffer: Vec<u8>,
}

impl<W: Write> Pack<W> {
    /// Starts a pack written to `out`.
    pub fn new(out: W) -> Result<Self> {
        let mut pack = Pack {
            out,
            written: 0,
            offsets: Vec::new(),
            kids: Vec::new(),
            last: Vec::new(),
            next_id: PAGES_ID + 1,
            buffer: Vec::new(),
        };
        pack.emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
        Ok(pack)
    }

    /// Appends every page of a read PDF (see [`parse`]); as a `sheet`, padded
    /// to an even number of pages.
    pub fn add(&mut self, doc: Parsed, sheet: bool) -> Result<()> {
        let copied = self.copy(doc)?;
        let odd = copied.pages.len() % 2 == 1;
        self.kids.extend(copied.pages);
        if sheet && odd {
            let id = self.blank_page(&copied.media_box)?;
            self.kids.push(id);
        }
        Ok(())
    }

    /// Puts every page of a read PDF after all the pages added with
    /// [`Pack::add`], before or after this call: a batch's grading summary,
    /// typeset before its sheets, ends the key pack without being held in
    /// memory until they are done.
    pub fn add_last(&mut self, doc: Parsed) -> Result<()> {
        let copied = self.copy(doc)?;
        self.last.extend(copied.pages);
        Ok(())
    }

    /// Writes the objects of a read PDF, numbered on from the pack's, and
    /// returns its pages' new object numbers.
    fn copy(&mut self, doc: Parsed) -> Result<Copied> {
        // The source's objects are numbered on from the pack's, in their order.
        let first = self.next_id;
        let renumber =
            |id: u32| doc.objects.binary_search_by_key(&id, |(n, _)| *n).ok().map(|index| first + index as u32);
        let mut media_box = None;
        for (index, (_, body)) in doc.objects.iter().enumerate() {
            self.object(first + index as u32, |buffer| match body {
                Body::Page(entries) => {
                    buffer.extend_from_slice(b"<<");
                    for (key, value) in entries {
                        buffer.push(b'/');
                        buffer.extend_from_slice(key);
                        buffer.push(b' ');
                        write_renumbered(buffer, value, renumber);
                    }
                    let _ = write!(buffer, "/Parent {PAGES_ID} 0 R>>");
                    media_box = get(entries, b"MediaBox").filter(|value| {
                        let mut direct = true;
                        each_reference(value, |_| direct = false);
                        direct
                    });
                }
                Body::Other(text, stream) => {
                    write_renumbered(buffer, text, renumber);
                    if let Some(data) = stream {
                        buffer.extend_from_slice(b"\nstream\n");
                        buffer.extend_from_slice(data);
                        buffer.extend_from_slice(b"\nendstream");
                    }
                }
            })?;
        }
        self.next_id = first + doc.objects.len() as u32;
        let pages = doc.pages.iter().filter_map(|&id| renumber(id)).collect();
        let media_box = media_box.unwrap_or(LETTER).to_vec();
        Ok(Copied { pages, media_box })
    }

    /// Writes a blank page of `media_box`, and returns its object number.
    fn blank_page(&mut self, media_box: &[u8]) -> Result<u32> {
        let media_box = String::from_utf8_lossy(media_box).into_owned();
        let blank = format!("<</Type/Page/MediaBox {media_box}/Resources<<>>/Parent {PAGES_ID} 0 R>>");
        let id = self.next_id;
        self.object(id, |buffer| buffer.extend_from_slice(blank.as_bytes()))?;
        self.next_id += 1;
        Ok(id)
    }

    /// Writes the page tree, the catalog and the cross-reference table, and
    /// hands back the output.
    pub fn finish(mut self) -> Result<W> {
        let kids: Vec<String> = self.kids.iter().chain(&self.last).map(|id| format!("{id} 0 R")).collect();
        let pages = format!("<</Type/Pages/Kids[{}]/Count {}>>", kids.join(" "), kids.len());
        self.object(PAGES_ID, |buffer| buffer.extend_from_slice(pages.as_bytes()))?;
        let catalog = self.next_id;
        self.object(catalog, |buffer| {
            let _ = write!(buffer, "<</Type/Catalog/Pages {PAGES_ID} 0 R>>");
        })?;
        let size = catalog + 1;
        let xref = self.written;
        self.offsets.sort_unstable();
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        let mut next = self.offsets.iter().peekable();
        for id in 1..size {
            match next.peek() {
                Some((object, offset)) if *object == id => {
                    table.push_str(&format!("{offset:010} 00000 n \n"));
                    next.next();
                }
                _ => table.push_str("0000000000 65535 f \n"),
            }
        }
        table.push_str(&format!("trailer\n<< /Size {size} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
        self.emit(table.as_bytes())?;
        self.out.flush().map_err(write_error)?;
        Ok(self.out)
    }

    /// Writes the object `id`, its value written by `value` into a buffer.
    fn object(&mut self, id: u32, value: impl FnOnce(&mut Vec<u8>)) -> Result<()> {
        self.offsets.push((id, self.written));
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let _ = writeln!(buffer, "{id} 0 obj");
        value(&mut buffer);
        buffer.extend_from_slice(b"\nendobj\n");
        let result = self.emit(&buffer);
        self.buffer = buffer;
        result
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(write_error)?;
        self.written += bytes.len();
        Ok(())
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::msg(format!("cannot write the class pack: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::Document;

    /// Joins `pdfs` in order into one PDF in memory.
    fn join(pdfs: impl IntoIterator<Item = Result<Vec<u8>>>, sheets: bool) -> Result<Vec<u8>> {
        let mut pack = Pack::new(Vec::new())?;
        for pdf in pdfs {
            pack.add(parse(&pdf?)?, sheets)?;
        }
        pack.finish()
    }

    fn sheet(pages: usize) -> Vec<u8> {
        pages_saying("Page", pages)
    }

    /// A PDF of `pages` small pages, each saying `word`.
    fn pages_saying(word: &str, pages: usize) -> Vec<u8> {
        let markup = format!(
            "#set document(title: \"Sheet\")\n#set page(width: 5cm, height: 5cm)\n{}",
            vec![word; pages].join("\n#pagebreak()\n")
        );
        let doc = crate::typeset::compile(&markup).unwrap();
        crate::typeset::pdf(&doc, "test").unwrap()
    }

    #[test]
    fn joins_pages_in_order_padding_odd_sheets() {
        let (one, two) = (sheet(1), sheet(2));
        let all = || [Ok(one.clone()), Ok(two.clone()), Ok(one.clone())];
        let joined = join(all(), true).unwrap();
        let doc = Document::load_mem(&joined).expect("a valid PDF");
        assert_eq!(doc.get_pages().len(), 2 + 2 + 2);
        let unpadded = Document::load_mem(&join(all(), false).unwrap()).unwrap();
        assert_eq!(unpadded.get_pages().len(), 4);
        assert_eq!(join(all(), true).unwrap(), join(all(), true).unwrap(), "same bytes twice");
    }

    /// Pages added with `add_last` end the pack, after sheets added before
    /// and after them, and the sheets are still padded.
    #[test]
    fn pages_added_last_end_the_pack() {
        let (first, summary, second) =
            (pages_saying("First", 1), pages_saying("Summary", 2), pages_saying("Second", 2));
        let mut pack = Pack::new(Vec::new()).unwrap();
        pack.add(parse(&first).unwrap(), true).unwrap();
        pack.add_last(parse(&summary).unwrap()).unwrap();
        pack.add(parse(&second).unwrap(), true).unwrap();
        let joined = pack.finish().unwrap();
        let pages: Vec<String> = pdf_extract::extract_text_from_mem_by_pages(&joined)
            .unwrap()
            .into_iter()
            .map(|page| page.split_whitespace().collect())
            .collect();
        assert_eq!(pages, ["First", "", "Second", "Second", "Summary", "Summary"]);
    }

    /// A PDF of `objects` (numbered from 1) with the catalog `root`.
    fn pdf_of(objects: &[&str], root: u32) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        }
        let trailer = format!("trailer\n<</Size {}/Root {root} 0 R>>\nstartxref\n{xref}\n%%EOF", objects.len() + 1);
        pdf.extend_from_slice(trailer.as_bytes());
        pdf
    }

    #[test]
    fn copies_what_pages_use_renumbered_and_leaves_the_document_level_out() {
        let source = pdf_of(
            &[
                "<</Type/Catalog/Pages 2 0 R/StructTreeRoot 8 0 R>>",
                // A page tree with a node in between, whose media box and
                // resources the pages inherit.
                "<</Type/Pages/Kids[3 0 R]/Count 2/MediaBox[0 0 100 200]>>",
                "<</Type/Pages/Parent 2 0 R/Kids[4 0 R 5 0 R]/Count 2/Resources 6 0 R>>",
                "<</Type/Page/Parent 3 0 R/Contents 7 0 R/StructParents 0/Annots[<</Subtype/Link/Dest[5 0 R/Fit]/P 9 0 R/Contents(a \\) 1 0 R (not a reference))>>]>>",
                "<</Type/Page/Parent 3 0 R/Contents 7 0 R/MediaBox[0 0 300 400]>>",
                "<</Font<<>>>>",
                "<</Length 12>>\nstream\nendobj 1 0 R\nendstream",
                "<</Type/StructTreeRoot/K 9 0 R>>",
                "<</Type/StructElem/P 8 0 R>>",
            ],
            1,
        );
        let mut pack = Pack::new(Vec::new()).unwrap();
        pack.add(parse(&source).unwrap(), true).unwrap();
        let joined = pack.finish().unwrap();
        let doc = Document::load_mem(&joined).expect("a valid PDF");
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        assert_eq!(pages.len(), 2, "two pages, even: no blank page");
        let page = |i: usize| doc.get_dictionary(pages[i]).unwrap();
        let media = |i: usize| format!("{:?}", page(i).get(b"MediaBox").unwrap());
        assert!(
            media(0).contains("100") && media(1).contains("300"),
            "inherited or its own: {}, {}",
            media(0),
            media(1)
        );
        assert!(page(0).get(b"Resources").is_ok(), "resources inherited");
        assert!(page(0).get(b"StructParents").is_err());
        // The stream is copied byte for byte, "endobj 1 0 R" and all.
        let text = String::from_utf8_lossy(&joined);
        assert!(text.contains("stream\nendobj 1 0 R\nendstream"), "{text}");
        // So is the string; the link's destination is the second page, renumbered,
        // and its structure parent (left behind) is null.
        assert!(text.contains("/Contents(a \\) 1 0 R (not a reference))"), "{text}");
        assert!(text.contains(&format!("/Dest[{} 0 R/Fit]/P null", pages[1].0)), "{text}");
        assert!(!text.contains("StructTreeRoot") && !text.contains("StructElem"), "{text}");

        // An odd sheet gets a blank page of its last page's size.
        let one = pdf_of(
            &[
                "<</Type/Catalog/Pages 2 0 R>>",
                "<</Type/Pages/Kids[3 0 R]/Count 1>>",
                "<</Type/Page/Parent 2 0 R/MediaBox[0 0 50 60]>>",
            ],
            1,
        );
        let mut pack = Pack::new(Vec::new()).unwrap();
        pack.add(parse(&one).unwrap(), true).unwrap();
        let doc = Document::load_mem(&pack.finish().unwrap()).unwrap();
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        assert_eq!(pages.len(), 2);
        assert!(format!("{:?}", doc.get_dictionary(pages[1]).unwrap().get(b"MediaBox").unwrap()).contains("60"));

        let error = parse(b"%PDF-1.7\nnot a PDF this program wrote").unwrap_err();
        assert!(error.to_string().contains("cannot join the class pack"), "{error}");
    }
}
