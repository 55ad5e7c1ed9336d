//! Class packs: many finished PDFs joined into one, page for page.
//!
//! Joining the PDFs (instead of keeping every laid-out document until the end
//! of a batch) keeps a batch's memory flat: each sheet is laid out, exported
//! and dropped, and the pack is written one source PDF at a time, so only one
//! source's objects are ever held in memory.

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId};

use crate::error::{Error, Result};

/// Object types that belong to a source document as a whole, not to its pages.
const DOCUMENT_LEVEL: [&[u8]; 6] = [b"Catalog", b"Pages", b"StructTreeRoot", b"StructElem", b"Outlines", b"Outline"];

/// A PDF written object by object.
struct PdfStream {
    bytes: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl PdfStream {
    fn new() -> Self {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
        PdfStream { bytes, offsets: Vec::new() }
    }

    fn object(&mut self, id: u32, object: &Object) {
        self.offsets.push((id, self.bytes.len()));
        self.bytes.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        write_object(&mut self.bytes, object);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn finish(mut self, root: u32, size: u32) -> Vec<u8> {
        let xref = self.bytes.len();
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
        table.push_str(&format!("trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
        self.bytes.extend_from_slice(table.as_bytes());
        self.bytes
    }
}

/// Serializes one PDF object (lopdf keeps its writer private).
fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r}").as_bytes()),
        Object::Name(name) => write_name(out, name),
        // Hexadecimal strings need no escaping.
        Object::String(bytes, _) => {
            out.push(b'<');
            for b in bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
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
        Object::Reference((id, generation)) => out.extend_from_slice(format!("{id} {generation} R").as_bytes()),
    }
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.extend_from_slice(format!("#{byte:02X}").as_bytes());
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

/// Joins `pdfs` in order. With `sheets`, a blank page follows every PDF with an
/// odd number of pages, so each starts on a fresh sheet when printed
/// double-sided. Streams are copied as they are (no recompression, which would
/// tie the bytes to the deflate backend the build linked).
pub fn join(pdfs: impl IntoIterator<Item = Result<Vec<u8>>>, sheets: bool) -> Result<Vec<u8>> {
    let fail = |e: lopdf::Error| Error::msg(format!("cannot join the class pack: {e}"));
    let pages_id: ObjectId = (1, 0);
    let mut out = PdfStream::new();
    let mut kids: Vec<Object> = Vec::new();
    let mut next_id: u32 = 2;
    for bytes in pdfs {
        let mut doc = Document::load_mem(&bytes?).map_err(fail)?;
        doc.renumber_objects_with(next_id);
        next_id = doc.max_id + 1;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let mut media_box = None;
        for id in &page_ids {
            if let Some(Object::Dictionary(page)) = doc.objects.get_mut(id) {
                page.set("Parent", pages_id);
                // Accessibility tags belong to the source's structure tree,
                // which the pack does not carry over.
                page.remove(b"StructParents");
                media_box = page.get(b"MediaBox").ok().cloned();
            }
            kids.push(Object::Reference(*id));
        }
        for (id, object) in &doc.objects {
            if !is_document_level(object) {
                out.object(id.0, object);
            }
        }
        if sheets && page_ids.len() % 2 == 1 {
            let media_box = media_box.unwrap_or_else(|| vec![0.into(), 0.into(), 612.into(), 792.into()].into());
            let blank = dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => media_box, "Resources" => Dictionary::new() };
            out.object(next_id, &Object::Dictionary(blank));
            kids.push(Object::Reference((next_id, 0)));
            next_id += 1;
        }
    }
    let count = kids.len() as i64;
    out.object(pages_id.0, &Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = next_id;
    out.object(catalog, &Object::Dictionary(dictionary! { "Type" => "Catalog", "Pages" => pages_id }));
    Ok(out.finish(catalog, catalog + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(pages: usize) -> Vec<u8> {
        let markup = format!("#set page(width: 5cm, height: 5cm)\n{}", vec!["Page"; pages].join("\n#pagebreak()\n"));
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
