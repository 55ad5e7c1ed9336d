//! What a sheet is labelled with: its variant id, the student it is for, and
//! a QR code of both, printed in the header and footer.

use serde::Serialize;

/// Who and which variant a sheet is for (printed in the header and footer).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SheetLabel {
    /// Variant id such as `v07`, empty for a single worksheet.
    pub id: String,
    /// Student name from a roster.
    pub student: Option<String>,
    /// QR code of the sheet (config name and variant id), drawn on the first page.
    pub qr: Option<QrCode>,
}

/// A QR code: the text it encodes, and its modules.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QrCode {
    /// The encoded text, such as `randomized:v07`.
    pub text: String,
    /// Rows of `0` and `1` (dark) modules joined by `/`.
    pub modules: String,
}

impl QrCode {
    /// The QR code of `text`, if it fits one. Text beyond ASCII (a student's
    /// name in the sheet id: `zoë-o-brien`) is marked as UTF-8 (ECI 26), or a
    /// reader guesses its encoding and may read other letters.
    pub fn of(text: &str) -> Option<QrCode> {
        let code = match text.is_ascii() {
            true => qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?,
            false => utf8(text)?,
        };
        Some(QrCode::of_code(text, &code))
    }

    /// The modules of `code`, which encodes `text`.
    fn of_code(text: &str, code: &qrcode::QrCode) -> QrCode {
        let width = code.width();
        let colors = code.to_colors();
        let rows: Vec<String> = colors
            .chunks(width)
            .map(|row| row.iter().map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' }).collect())
            .collect();
        QrCode { text: text.to_owned(), modules: rows.join("/") }
    }
}

/// The smallest QR code of `text` in byte mode behind the ECI designator of
/// UTF-8, at error correction level M.
fn utf8(text: &str) -> Option<qrcode::QrCode> {
    (1..=40).find_map(|version| {
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(version));
        bits.push_eci_designator(26).ok()?;
        bits.push_byte_data(text.as_bytes()).ok()?;
        bits.push_terminator(qrcode::EcLevel::M).ok()?;
        qrcode::QrCode::with_bits(bits, qrcode::EcLevel::M).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_are_square_module_grids() {
        let qr = QrCode::of("randomized:v07").unwrap().modules;
        let rows: Vec<&str> = qr.split('/').collect();
        assert_eq!(rows.len(), 21, "a short id fits a version-1 code");
        assert!(rows.iter().all(|r| r.len() == 21 && r.chars().all(|c| c == '0' || c == '1')));
        // The finder pattern in the top-left corner.
        assert_eq!(rows[0].get(..7), Some("1111111"));
        assert_ne!(QrCode::of("randomized:v08").unwrap().modules, qr);
    }

    #[test]
    fn text_beyond_ascii_is_marked_utf8() {
        // Byte mode alone, as before, for ASCII: the variants' codes do not change.
        let plain = qrcode::QrCode::with_error_correction_level("randomized:v07", qrcode::EcLevel::M).unwrap();
        assert_eq!(QrCode::of("randomized:v07").unwrap(), QrCode::of_code("randomized:v07", &plain));
        // With the ECI designator of UTF-8 first: another code than byte mode alone.
        let text = "class11b:zoë-o-brien";
        let bare = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).unwrap();
        assert_ne!(QrCode::of(text).unwrap(), QrCode::of_code(text, &bare));
        let mut eci = qrcode::bits::Bits::new(qrcode::Version::Normal(2));
        eci.push_eci_designator(26).unwrap();
        eci.push_byte_data(text.as_bytes()).unwrap();
        eci.push_terminator(qrcode::EcLevel::M).unwrap();
        let marked = qrcode::QrCode::with_bits(eci, qrcode::EcLevel::M).unwrap();
        assert_eq!(QrCode::of(text).unwrap(), QrCode::of_code(text, &marked));
    }
}
