//! Class packs: many finished PDFs joined into one, page for page.
//!
//! Joining the PDFs (instead of keeping every laid-out document until the end
//! of a batch) keeps a batch's memory flat: each sheet is laid out, exported
//! and dropped, and the pack is written to its file one source PDF at a time,
//! so only one source's objects are ever held in memory.

use std::io::Write;

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId};

use crate::error::{Error, Result};

/// Object types that belong to a source document as a whole, not to its pages.
const DOCUMENT_LEVEL: [&[u8]; 6] = [b"Catalog", b"Pages", b"StructTreeRoot", b"StructElem", b"Outlines", b"Outline"];

/// Serializes one PDF object (lopdf keeps its writer private).
fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        // Writing into a Vec cannot fail.
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Object::Name(name) => write_name(out, name),
        // Hexadecimal strings need no escaping.
        Object::String(bytes, _) => {
            out.push(b'<');
            for &b in bytes {
                out.extend_from_slice(&hex(b));
            }
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.set("Length", stream.content.len() as i64);
            write_dictionary(out, &dict);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            let _ = write!(out, "{id} {generation} R");
        }
    }
}

/// A byte as two uppercase hexadecimal digits.
fn hex(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    [DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 15)]]
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.push(b'#');
            out.extend_from_slice(&hex(byte));
        } else {
            out.push(byte);
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict.iter() {
        write_name(out, key);
        out.push(b' ');
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

fn is_document_level(object: &Object) -> bool {
    let kind = object.as_dict().ok().and_then(|d| d.get(b"Type").ok()).and_then(|t| t.as_name().ok());
    kind.is_some_and(|t| DOCUMENT_LEVEL.contains(&t))
}

/// A class pack being written: PDFs appended one at a time, page for page,
/// straight to `out`, so only the PDF being appended is ever held in memory.
///
/// A PDF added as a sheet is followed by a blank page if it has an odd number
/// of pages, so each sheet starts on a fresh sheet of paper when printed
/// double-sided. Streams are
/// copied as they are (no recompression, which would tie the bytes to the
/// deflate backend the build linked).
pub struct Pack<W: Write> {
    out: W,
    /// Bytes written so far: the offset of the next object.
    written: usize,
    /// Where each object starts, by object number.
    offsets: Vec<(u32, usize)>,
    /// The pages, in order.
    kids: Vec<Object>,
    next_id: u32,
    /// A reused buffer for serializing one object.
    buffer: Vec<u8>,
}

/// The object number of the pack's page tree.
const PAGES_ID: ObjectId = (1, 0);

impl<W: Write> Pack<W> {
    /// Starts a pack written to `out`.
    pub fn new(out: W) -> Result<Self> {
        let mut pack = Pack { out, written: 0, offsets: Vec::new(), kids: Vec::new(), next_id: 2, buffer: Vec::new() };
        pack.emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
        Ok(pack)
    }

    /// Appends every page of a parsed PDF (see [`parse`]); as a `sheet`, padded
    /// to an even number of pages.
    pub fn add(&mut self, mut doc: Document, sheet: bool) -> Result<()> {
        doc.renumber_objects_with(self.next_id);
        self.next_id = doc.max_id + 1;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let mut media_box = None;
        for id in &page_ids {
            if let Some(Object::Dictionary(page)) = doc.objects.get_mut(id) {
                page.set("Parent", PAGES_ID);
                // Accessibility tags belong to the source's structure tree,
                // which the pack does not carry over.
                page.remove(b"StructParents");
                media_box = page.get(b"MediaBox").ok().cloned();
            }
            self.kids.push(Object::Reference(*id));
        }
        for (id, object) in &doc.objects {
            if !is_document_level(object) {
                self.object(id.0, object)?;
            }
        }
        if sheet && page_ids.len() % 2 == 1 {
            let media_box = media_box.unwrap_or_else(|| vec![0.into(), 0.into(), 612.into(), 792.into()].into());
            let blank = dictionary! { "Type" => "Page", "Parent" => PAGES_ID, "MediaBox" => media_box, "Resources" => Dictionary::new() };
            let id = self.next_id;
            self.object(id, &Object::Dictionary(blank))?;
            self.kids.push(Object::Reference((id, 0)));
            self.next_id += 1;
        }
        Ok(())
    }

    /// Writes the page tree, the catalog and the cross-reference table, and
    /// hands back the output.
    pub fn finish(mut self) -> Result<W> {
        let count = self.kids.len() as i64;
        let kids = std::mem::take(&mut self.kids);
        self.object(
            PAGES_ID.0,
            &Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        )?;
        let catalog = self.next_id;
        self.object(catalog, &Object::Dictionary(dictionary! { "Type" => "Catalog", "Pages" => PAGES_ID }))?;
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

    fn object(&mut self, id: u32, object: &Object) -> Result<()> {
        self.offsets.push((id, self.written));
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let _ = writeln!(buffer, "{id} 0 obj");
        write_object(&mut buffer, object);
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

/// Parses one finished PDF for [`Pack::add`]. Parsing is the costly part of
/// joining, and independent for each PDF, so callers may parse in parallel.
pub fn parse(pdf: &[u8]) -> Result<Document> {
    Document::load_mem(pdf).map_err(|e| Error::msg(format!("cannot join the class pack: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Joins `pdfs` in order into one PDF in memory.
    fn join(pdfs: impl IntoIterator<Item = Result<Vec<u8>>>, sheets: bool) -> Result<Vec<u8>> {
        let mut pack = Pack::new(Vec::new())?;
        for pdf in pdfs {
            pack.add(parse(&pdf?)?, sheets)?;
        }
        pack.finish()
    }

    fn sheet(pages: usize) -> Vec<u8> {
        let markup = format!(
            "#set document(title: \"Sheet\")\n#set page(width: 5cm, height: 5cm)\n{}",
            vec!["Page"; pages].join("\n#pagebreak()\n")
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
}
