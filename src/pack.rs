//! Class packs: many finished PDFs joined into one, page for page.
//!
//! Joining the PDFs (instead of keeping every laid-out document until the end
//! of a batch and exporting them together) keeps a batch's memory flat: each
//! sheet is laid out, exported and dropped, and only its PDF bytes remain.

use std::collections::BTreeMap;

use lopdf::{dictionary, Document, Object, ObjectId};

use crate::error::{Error, Result};

/// Joins `pdfs` in order. With `sheets`, a blank page follows every PDF with an
/// odd number of pages, so each starts on a fresh sheet when printed
/// double-sided.
pub fn join(pdfs: &[&[u8]], sheets: bool) -> Result<Vec<u8>> {
    let fail = |e: lopdf::Error| Error::msg(format!("cannot join the class pack: {e}"));
    let mut out = Document::with_version("1.7");
    let pages_id = out.new_object_id();
    let mut kids: Vec<Object> = Vec::new();
    for bytes in pdfs {
        let mut doc = Document::load_mem(bytes).map_err(fail)?;
        doc.renumber_objects_with(out.max_id + 1);
        out.max_id = doc.max_id;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let mut last_box = None;
        for id in &page_ids {
            if let Some(Object::Dictionary(page)) = doc.objects.get_mut(id) {
                page.set("Parent", pages_id);
                // Accessibility tags belong to the source document's structure tree,
                // which the pack does not carry over.
                page.remove(b"StructParents");
                last_box = page.get(b"MediaBox").ok().cloned();
            }
            kids.push(Object::Reference(*id));
        }
        // Keep everything but the source's document-level objects.
        let skip: Vec<ObjectId> = doc
            .objects
            .iter()
            .filter(|(_, o)| {
                o.as_dict().ok().and_then(|d| d.get(b"Type").ok()).and_then(|t| t.as_name().ok()).is_some_and(|t| {
                    matches!(t, b"Catalog" | b"Pages" | b"StructTreeRoot" | b"StructElem" | b"Outlines" | b"Outline")
                })
            })
            .map(|(id, _)| *id)
            .collect();
        let objects: BTreeMap<ObjectId, Object> =
            doc.objects.into_iter().filter(|(id, _)| !skip.contains(id)).collect();
        out.objects.extend(objects);
        if sheets && page_ids.len() % 2 == 1 {
            let media_box = last_box.unwrap_or_else(|| vec![0.into(), 0.into(), 612.into(), 792.into()].into());
            let blank = out.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => media_box,
                "Resources" => dictionary! {},
            });
            kids.push(Object::Reference(blank));
        }
    }
    let count = kids.len() as i64;
    out.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = out.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    out.trailer.set("Root", catalog);
    // No recompression: the page streams arrive compressed by Typst, and
    // compressing here would make the bytes depend on which deflate backend the
    // build happened to link.
    let mut bytes = Vec::new();
    out.save_to(&mut bytes).map_err(|e| Error::msg(format!("cannot write the class pack: {e}")))?;
    Ok(bytes)
}
