//! Rosters: the student names of a class, read from the CSV a spreadsheet
//! exports, and found again by a name typed at the command line.
//!
//! A student's numbers and file name come from their name in one normal form
//! ([`normalize`]), so a roster saved again (Excel's curly apostrophe, macOS's
//! decomposed accents) gives every student the same sheet, and a name typed
//! with another accent, case or apostrophe finds the roster's spelling rather
//! than silently drawing someone else's numbers. Spreadsheets export CSV in
//! more than one shape: a byte-order mark, UTF-16, Windows-1252 instead of
//! UTF-8, semicolons instead of commas (in locales whose decimal separator is
//! a comma), CRLF line ends and extra columns are all read.

use std::path::Path;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization as _;

use crate::error::{Error, Result};
use crate::output::sanitize;

/// Longest name accepted, in characters.
const MAX_NAME: usize = 200;

/// One student: the name as printed, and the roster line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    /// The name as in the roster, tidied ([`tidy`]): what the sheet prints.
    pub name: String,
    /// The name's normal form ([`normalize`]): where the numbers and the
    /// file name come from.
    pub key: String,
    /// 1-based line of the roster file.
    pub line: u64,
}

/// A name as printed: Unicode NFC (an accent composed with its letter, as
/// macOS may not save it), runs of white space one space, none around, and
/// no invisible zero-width space or byte-order mark.
pub fn tidy(name: &str) -> String {
    let composed: String = name.nfc().filter(|c| !matches!(c, '\u{200B}' | '\u{FEFF}')).collect();
    composed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The normal form of a name that a student's numbers and file name come
/// from: [`tidy`], with every apostrophe and quote variant folded to `'` or
/// `"` (Excel's autocorrect turns `O'Brien` into `O’Brien`). Two names with the
/// same normal form are the same student.
pub fn normalize(name: &str) -> String {
    tidy(name)
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' | '\u{02B9}' | '\u{2032}' | '\u{00B4}'
            | '\u{0060}' | '\u{FF07}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{FF02}' => '"',
            c => c,
        })
        .collect()
}

/// A class roster, in file order.
#[derive(Debug, Clone)]
pub struct Roster {
    /// The file, as the user named it.
    pub file: String,
    /// The students, in order.
    pub students: Vec<Student>,
    /// Things worth telling the teacher that do not stop the run.
    pub warnings: Vec<String>,
}

impl Roster {
    /// Reads the roster at `path`: the first column of each non-empty row,
    /// without a `name` header.
    pub fn read(path: &Path) -> Result<Roster> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("read roster", path, e))?;
        parse(&path.display().to_string(), &bytes)
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<String> {
        self.students.iter().map(|s| s.name.clone()).collect()
    }

    /// The 1-based place of the student `query` names in the roster (the
    /// `only` of a batch request that draws that student's sheet alone), and
    /// the student.
    pub fn place(&self, query: &str) -> Result<(u64, &Student)> {
        let student = self.find(query)?;
        let index = self.students.iter().position(|s| s == student).expect("found in the roster");
        Ok((index as u64 + 1, student))
    }

    /// The student called `query`: the name in its normal form; or else
    /// the one name that matches ignoring case, accents, apostrophe style,
    /// spaces and dashes (so the file-name form `zoë-o-brien` finds "Zoë
    /// O'Brien"); or else ignoring letters that do not decompose too (ł, ø,
    /// æ, ß as l, o, ae, ss); or else a first or last name alone that one
    /// student has. Several students at the first step that finds any are
    /// listed, to choose from.
    pub fn find(&self, query: &str) -> Result<&Student> {
        let query = tidy(query);
        let normal = normalize(&query);
        let (key, plain) = (fold(&query), ascii(&query));
        let steps: [&dyn Fn(&Student) -> bool; 4] =
            [&|s| s.key == normal, &|s| fold(&s.name) == key, &|s| ascii(&s.name) == plain, &|s| {
                let (first, last) = (s.name.split(' ').next(), s.name.split(' ').next_back());
                !plain.is_empty() && [first, last].into_iter().flatten().any(|w| ascii(w) == plain)
            }];
        let matches = steps
            .iter()
            .map(|step| self.students.iter().filter(|s| step(s)).collect::<Vec<_>>())
            .find(|m| !m.is_empty());
        match matches.unwrap_or_default().as_slice() {
            [one] => Ok(one),
            [] => {
                // The edit distance to the whole name or to its closest word,
                // so "Zoey" finds "Zoë O'Brien".
                let distance = |name: &str| {
                    let whole = strsim::levenshtein(&fold(name), &key);
                    name.split_whitespace().map(|w| strsim::levenshtein(&fold(w), &key)).fold(whole, usize::min)
                };
                let mut scored: Vec<(usize, &Student)> = self.students.iter().map(|s| (distance(&s.name), s)).collect();
                scored.sort_by_key(|(distance, _)| *distance);
                let closest: Vec<String> = scored.iter().take(3).map(|(_, s)| format!("{:?}", s.name)).collect();
                Err(Error::msg(format!(
                    "{}: no student is called {query:?}; the closest names are {}",
                    self.file,
                    closest.join(", ")
                )))
            }
            many => {
                let list: Vec<String> = many.iter().map(|s| format!("  {:?} (line {})", s.name, s.line)).collect();
                Err(Error::msg(format!(
                    "{}: {query:?} could be any of these students; give the name exactly as in the roster:\n{}",
                    self.file,
                    list.join("\n")
                )))
            }
        }
    }
}

/// The form names are compared in: compatibility-decomposed, without
/// combining marks (accents), lower case, letters and digits only (so
/// apostrophes, dashes and spaces of any style do not count).
fn fold(name: &str) -> String {
    unaccented_lower(name).filter(|c| c.is_alphanumeric()).collect()
}

/// The letters of `text` compatibility-decomposed, without combining marks
/// (accents), in lower case: what [`fold`] and [`header_word`] compare.
fn unaccented_lower(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase)
}

/// [`fold`] in ASCII: letters that do not decompose written as English
/// keyboards type them (ł → l, ø → o, æ → ae, đ → d, ß → ss, œ → oe, þ → th),
/// and other scripts transliterated.
fn ascii(name: &str) -> String {
    any_ascii::any_ascii(name).chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The text of a roster file: UTF-8 (with or without a byte-order mark),
/// UTF-16 with a byte-order mark, or else Windows-1252, which Excel writes
/// for "CSV (Comma delimited)" on Western Windows.
fn decode(file: &str, bytes: &[u8], warnings: &mut Vec<String>) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            warnings.push(format!(
                "{file} is not UTF-8; it was read as Windows-1252 (what Excel saves as \"CSV\"). Check that the \
                 names print right, or save the roster as \"CSV UTF-8\" instead"
            ));
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
        }
    }
}

/// The field separator of `text`: whichever of comma, semicolon and tab is
/// most frequent on its first non-empty line, or else on any line (a roster
/// whose header is one word may have a group column further down); a comma
/// if none is there.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let first = match [',', ';', '\t'].iter().any(|d| first.contains(*d)) {
        true => first,
        false => text,
    };
    let count = |c: char| first.chars().filter(|x| *x == c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .fold((b',', 0), |best, (d, n)| if n > best.1 { (d, n) } else { best })
        .0
}

/// What a column of a roster holds, as its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// The whole name.
    Name,
    /// The first (given) name.
    First,
    /// The surname (family name).
    Last,
    /// Anything else a class list holds: an id, an email, the class.
    Other,
}

/// Header words that name the whole name, in [`header_word`]'s form.
const NAME_WORDS: &[&str] = &[
    "name",
    "names",
    "student",
    "students",
    "student name",
    "student s name",
    "students name",
    "full name",
    "fullname",
    "pupil",
    "pupil name",
    "learner",
    "nom",
    "nom complet",
    "nom et prenom",
    "nombre",
    "nombre completo",
    "nome",
    "naam",
    "navn",
    "namn",
    "name des schulers",
    "schuler",
    "schulerin",
    "eleve",
    "alumno",
    "alumna",
];
/// Header words that name the first name.
const FIRST_WORDS: &[&str] = &[
    "first name",
    "firstname",
    "first",
    "forename",
    "forenames",
    "given name",
    "given names",
    "givenname",
    "prenom",
    "prenoms",
    "vorname",
    "vornamen",
    "nombres",
];
/// Header words that name the surname.
const LAST_WORDS: &[&str] = &[
    "last name",
    "lastname",
    "last",
    "surname",
    "family name",
    "familyname",
    "nachname",
    "familienname",
    "apellido",
    "apellidos",
    "nom de famille",
    "cognome",
];
/// Header words of the other columns a class list has.
const OTHER_WORDS: &[&str] = &[
    "id",
    "student id",
    "student number",
    "number",
    "no",
    "nr",
    "num",
    "email",
    "e mail",
    "email address",
    "mail",
    "class",
    "group",
    "form",
    "tutor group",
    "set",
    "year",
    "grade",
    "gender",
    "sex",
    "date of birth",
    "dob",
    "username",
    "login",
    "user",
    "klasse",
    "gruppe",
    "classe",
    "groupe",
    "curso",
    "grupo",
    "matricule",
    "note",
    "notes",
    "comment",
    "comments",
];

/// A header cell as compared with the header words: lower case, without
/// accents, every run of other characters one space (`Prénom` is `prenom`,
/// `First_Name` is `first name`, `E-mail:` is `e mail`).
fn header_word(cell: &str) -> String {
    let plain: String = unaccented_lower(cell).map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the header cell `cell` names, if it is a header word.
fn column_of(cell: &str) -> Option<Column> {
    let word = header_word(cell);
    [(NAME_WORDS, Column::Name), (FIRST_WORDS, Column::First), (LAST_WORDS, Column::Last), (OTHER_WORDS, Column::Other)]
        .into_iter()
        .find(|(words, _)| words.contains(&word.as_str()))
        .map(|(_, column)| column)
}

/// The columns of the header row `cells`, if it is one: a row with a name
/// column, or one whose every cell is a header word. `Nom` beside `Prénom`
/// is the surname (alone it is the whole name), as are `Nombre` beside
/// `Apellido` the first name and `Nome` beside `Cognome`.
fn header(cells: &[&str]) -> Option<Vec<Column>> {
    let mut columns: Vec<Option<Column>> = cells.iter().map(|c| column_of(c)).collect();
    let has = |columns: &[Option<Column>], kind: Column| columns.contains(&Some(kind));
    let words: Vec<String> = cells.iter().map(|c| header_word(c)).collect();
    for (i, word) in words.iter().enumerate() {
        match word.as_str() {
            "nom" if has(&columns, Column::First) => columns[i] = Some(Column::Last),
            "nombre" | "nome" if has(&columns, Column::Last) => columns[i] = Some(Column::First),
            _ => {}
        }
    }
    let named = [Column::Name, Column::First, Column::Last].into_iter().any(|kind| has(&columns, kind));
    let all_words = cells.iter().zip(&columns).all(|(cell, column)| cell.trim().is_empty() || column.is_some());
    (named || all_words).then(|| columns.into_iter().map(|c| c.unwrap_or(Column::Other)).collect())
}

/// Where a roster's rows keep the name: one column, or a first-name and a
/// surname column, joined "First Last".
#[derive(Debug, Clone, Copy)]
enum NameAt {
    Column(usize),
    Joined { first: usize, last: usize },
}

impl NameAt {
    /// Where the name is, by the header's `columns`, if a column holds it.
    fn of(columns: &[Column]) -> Option<NameAt> {
        let find = |kind: Column| columns.iter().position(|c| *c == kind);
        match (find(Column::First), find(Column::Last), find(Column::Name)) {
            (Some(first), Some(last), _) => Some(NameAt::Joined { first, last }),
            (_, _, Some(name)) => Some(NameAt::Column(name)),
            (Some(one), None, None) | (None, Some(one), None) => Some(NameAt::Column(one)),
            (None, None, None) => None,
        }
    }

    /// The name in `record`.
    fn name(self, record: &csv::StringRecord) -> String {
        let cell = |i: usize| tidy(record.get(i).unwrap_or(""));
        match self {
            NameAt::Column(i) => cell(i),
            NameAt::Joined { first, last } => tidy(&format!("{} {}", cell(first), cell(last))),
        }
    }
}

/// Whether a row after the first, whose name is `name`, is a header row (two
/// lists pasted one under the other): its name is a name column's word, or
/// its cells are a header's.
fn looks_like_header(name: &str, record: &csv::StringRecord) -> bool {
    let cells: Vec<&str> = record.iter().filter(|c| !c.trim().is_empty()).collect();
    column_of(name).is_some_and(|c| c != Column::Other) || (cells.len() > 1 && header(&cells).is_some())
}

fn parse(file: &str, bytes: &[u8]) -> Result<Roster> {
    let mut warnings = Vec::new();
    let text = decode(file, bytes, &mut warnings);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut students: Vec<Student> = Vec::new();
    let (mut unreadable, mut unnamed, mut not_names) = (Vec::new(), Vec::new(), Vec::new());
    // The name's column: the first, unless a header row says another.
    let mut name_at = NameAt::Column(0);
    let mut first_row = true;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!("{}:", line_at(&text, p.byte())));
            Error::msg(format!("{file}:{line} cannot read the roster: {e}"))
        })?;
        // The reader's own line count skips runs of blank lines, and a
        // record's position is where the blank lines before it begin.
        let line = record.position().map_or(i as u64 + 1, |p| {
            let start = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(text.len());
            let blank = text.as_bytes()[start..].iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
            line_at(&text, (start + blank) as u64)
        });
        if std::mem::take(&mut first_row) {
            let cells: Vec<&str> = record.iter().collect();
            if let Some(columns) = header(&cells) {
                name_at = NameAt::of(&columns).ok_or_else(|| {
                    Error::msg(format!(
                        "{file}:{line}: the header row ({}) names no column of names: call the names' column \
                         `Name` (or give a first-name and a surname column, such as `First name` and `Surname`)",
                        cells.join(", ")
                    ))
                })?;
                continue;
            }
        }
        let name = name_at.name(&record);
        if name.is_empty() {
            // A row of empty cells is a spreadsheet's padding; one with
            // something in another column is a student without a name.
            if record.iter().any(|field| !field.trim().is_empty()) {
                unnamed.push(line);
            }
            continue;
        }
        if name.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || "-./#".contains(c)) {
            not_names.push(format!("  line {line}: {name:?} is a number, not a name"));
            continue;
        }
        if looks_like_header(&name, &record) {
            not_names.push(format!("  line {line}: {name:?} looks like a header, not a student"));
            continue;
        }
        if name.contains('?') {
            unreadable.push(format!("  line {line}: {name:?}"));
            continue;
        }
        if name.chars().count() > MAX_NAME {
            return Err(Error::msg(format!("{file}:{line}: the name is longer than {MAX_NAME} characters")));
        }
        let key = normalize(&name);
        if let Some(other) = students.iter().find(|s| s.key == key) {
            let written = match other.name == name {
                true => String::new(),
                false => format!(" as {:?}", other.name),
            };
            return Err(Error::msg(format!(
                "{file}:{line}: {name:?} is listed twice (also on line {}{written}); give each student a different \
                 name",
                other.line
            )));
        }
        if let Some(other) = students.iter().find(|s| sanitize(&s.key) == sanitize(&key)) {
            let id = sanitize(&key);
            let to_do = match id.chars().count() >= crate::output::NAME_CHARACTERS {
                true => format!(
                    "they differ only after the first {} characters, which is all a file name keeps: shorten one \
                     of them in the roster, or make them differ earlier (an initial after the first name)",
                    crate::output::NAME_CHARACTERS
                ),
                false => "make the names differ in a letter or digit".to_owned(),
            };
            return Err(Error::msg(format!(
                "{file}:{line}: {name:?} and {:?} (line {}) would both be written to files named {id:?}; {to_do}",
                other.name, other.line,
            )));
        }
        students.push(Student { name, key, line });
    }
    if !not_names.is_empty() {
        return Err(Error::msg(format!(
            "{file}: {} not a student's name:\n{}\nA roster has one student a row; a header row (such as `Name` \
             or `ID,Name`) goes on the first line only, and it says which column holds the names (an ID column \
             is skipped). Fix or delete these rows and run again.",
            match not_names.len() {
                1 => "a row is".to_owned(),
                n => format!("{n} rows are"),
            },
            not_names.join("\n")
        )));
    }
    if !unreadable.is_empty() {
        return Err(Error::msg(format!(
            "{file}: {} a `?` where a letter belongs: the spreadsheet could not save those letters in this \
             file's encoding, so they are lost. Save the roster as \"CSV UTF-8\" (in Excel: File, Save As, CSV UTF-8) \
             and run again:\n{}",
            match unreadable.len() {
                1 => "a name has".to_owned(),
                n => format!("{n} names have"),
            },
            unreadable.join("\n")
        )));
    }
    if !unnamed.is_empty() {
        let lines: Vec<String> = unnamed.iter().map(u64::to_string).collect();
        let (rows, have) = match lines.len() {
            1 => ("line", "has"),
            _ => ("lines", "have"),
        };
        warnings.push(format!(
            "{file}: {rows} {} {have} no name in the name column but something in another; skipped (add the \
             name, or delete the row)",
            lines.join(", ")
        ));
    }
    if students.is_empty() {
        return Err(Error::msg(format!("{file}: the roster has no names")));
    }
    let missing = missing_glyphs(&students);
    if !missing.is_empty() {
        let list: Vec<String> =
            missing.iter().map(|(s, chars)| format!("  line {}: {:?} ({})", s.line, s.name, chars)).collect();
        warnings.push(format!(
            "{file}: the embedded fonts have no letters for some characters of these names; they will print as \
             empty boxes:\n{}\nTo print them, write each such name in the roster in letters the sheet has (Latin, \
             Greek, Cyrillic, Arabic, Hebrew), such as its usual romanization (\"Li Ming\" for 李明); the name is \
             also the file name and the student's numbers, so change it before the sheets are handed out",
            list.join("\n")
        ));
    }
    Ok(Roster { file: file.to_owned(), students, warnings })
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: u64) -> u64 {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
    1 + text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() as u64
}

/// The students whose names hold characters no embedded font can draw, with
/// those characters.
fn missing_glyphs(students: &[Student]) -> Vec<(&Student, String)> {
    students
        .iter()
        .filter_map(|s| {
            let mut missing: Vec<char> = s.name.chars().filter(|c| !crate::typeset::can_draw(*c)).collect();
            missing.dedup();
            (!missing.is_empty()).then(|| (s, missing.into_iter().collect()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rows_are_recognised_by_their_words() {
        let read = |text: &str| parse("r.csv", text.as_bytes()).map(|r| r.names());
        assert_eq!(read("Name,Group\nAda,1\n").unwrap(), ["Ada"]);
        assert_eq!(read("ID;E-mail;Student's name\n7;a@x;Ada Lovelace\n").unwrap(), ["Ada Lovelace"]);
        assert_eq!(read("Family name,Given name\nLovelace,Ada\n").unwrap(), ["Ada Lovelace"]);
        assert_eq!(read("Nachname;Vorname\nMüller;Jürgen\n").unwrap(), ["Jürgen Müller"]);
        assert_eq!(read("Apellido,Nombre\nGarcía López,José María\n").unwrap(), ["José María García López"]);
        assert_eq!(read("Nombre,Curso\nJosé García,2B\n").unwrap(), ["José García"]);
        // No header: the first column, as before.
        assert_eq!(read("Ada Lovelace,11B\nAlan Turing,11B\n").unwrap(), ["Ada Lovelace", "Alan Turing"]);
        let err = read("ID,Email\n7,a@x\n").unwrap_err().to_string();
        assert!(err.contains("r.csv:1:") && err.contains("names no column of names"), "{err}");
    }

    fn names(roster: &Roster) -> Vec<&str> {
        roster.students.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn lines_count_blank_lines() {
        let error = parse("r.csv", b"name\nAda\n\n\nBob\n\nAda\n").unwrap_err().to_string();
        assert!(error.starts_with("r.csv:7:"), "{error}");
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn names_that_make_the_same_file_are_placed() {
        let error = parse("r.csv", b"Anna Lee\nBob\nanna lee\n").unwrap_err().to_string();
        assert!(error.starts_with("r.csv:3:") && error.contains("line 1") && error.contains("anna-lee"), "{error}");
    }

    #[test]
    fn windows_1252_is_read_with_a_warning() {
        let roster = parse("r.csv", b"Zo\xEB O'Brien\r\nJos\xE9\r\n").unwrap();
        assert_eq!(names(&roster), ["Zoë O'Brien", "José"]);
        assert!(roster.warnings[0].contains("CSV UTF-8"), "{:?}", roster.warnings);
    }

    #[test]
    fn semicolons_are_detected() {
        let roster = parse("r.csv", "Name;Group\nAnna Lee;3\n\"Lee; Ann\";4\n".as_bytes()).unwrap();
        assert_eq!(names(&roster), ["Anna Lee", "Lee; Ann"]);
        let roster = parse("r.csv", "\u{feff}name,group\n\"O'Brien, Pat\",1\n".as_bytes()).unwrap();
        assert_eq!(names(&roster), ["O'Brien, Pat"]);
    }

    #[test]
    fn names_without_glyphs_are_named() {
        let roster = parse("r.csv", "Ada\n李明\n".as_bytes()).unwrap();
        assert_eq!(roster.warnings.len(), 1);
        assert!(roster.warnings[0].contains("line 2") && roster.warnings[0].contains("李明"), "{:?}", roster.warnings);
        assert!(parse("r.csv", "Zoë Ångström\nJosé Núñez\nשלום\n".as_bytes()).unwrap().warnings.is_empty());
    }

    #[test]
    fn a_name_saved_again_is_the_same_name() {
        let nfd = "Zoe\u{308}  O\u{2019}Brien\u{a0}";
        assert_eq!(tidy(nfd), "Zoë O\u{2019}Brien", "composed, spaces collapsed, the apostrophe kept for print");
        assert_eq!(normalize(nfd), normalize("Zoë O'Brien"));
        assert_eq!(normalize("\u{201C}Kit\u{201D} Marlowe\u{200B}"), "\"Kit\" Marlowe");
        assert_ne!(normalize("Zoë"), normalize("Zoe"), "accents are letters of the name");
        let error =
            parse("r.csv", "Aoife O'Sullivan\nBob\nAoife O\u{2019}Sullivan\n".as_bytes()).unwrap_err().to_string();
        assert!(error.starts_with("r.csv:3:") && error.contains("also on line 1 as \"Aoife O'Sullivan\""), "{error}");
    }

    #[test]
    fn letters_that_do_not_decompose_and_single_names_find_their_student() {
        let roster = parse(
            "r.csv",
            "Łukasz Wiśniewski\nBjørn Løvdal\nMohammed Ali\nMohammed Rahman\nMaximilian Großmann\n".as_bytes(),
        )
        .unwrap();
        for (query, name) in [
            ("lukasz wisniewski", "Łukasz Wiśniewski"),
            ("BJORN LOVDAL", "Bjørn Løvdal"),
            ("maximilian grossmann", "Maximilian Großmann"),
            ("Maximilian", "Maximilian Großmann"),
            ("Rahman", "Mohammed Rahman"),
        ] {
            assert_eq!(roster.find(query).unwrap().name, name, "{query}");
        }
        let error = roster.find("Mohammed").unwrap_err().to_string();
        assert!(
            error.contains("\"Mohammed Ali\" (line 3)") && error.contains("\"Mohammed Rahman\" (line 4)"),
            "{error}"
        );
    }

    #[test]
    fn lost_letters_and_unnamed_rows_are_placed() {
        let error = parse("r.csv", b"Name,Group\r\n?ukasz Wi?niewski,1\r\nZo\xEB,2\r\n???? ??????,3\r\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("2 names have a `?`") && error.contains("line 2:") && error.contains("line 4:"),
            "{error}"
        );
        let roster = parse("r.csv", "Name;Group\nAda;1\n;2\n;;\nBob;3\n".as_bytes()).unwrap();
        assert_eq!(names(&roster), ["Ada", "Bob"]);
        assert_eq!(roster.warnings.len(), 1, "{:?}", roster.warnings);
        assert!(roster.warnings[0].contains("line 3 has no name"), "{:?}", roster.warnings);
    }

    #[test]
    fn names_are_found_ignoring_case_accents_and_apostrophes() {
        let roster = parse("r.csv", "Zoë O\u{2019}Brien\nZoe Adams\nAnna Lee\nAnnalee\n".as_bytes()).unwrap();
        for query in ["Zoë O\u{2019}Brien", "Zoe O'Brien", "zoë o'brien", "ZOE OBRIEN", "zoë-o-brien"] {
            assert_eq!(roster.find(query).unwrap().name, "Zoë O\u{2019}Brien", "{query}");
        }
        assert_eq!(roster.find("Annalee").unwrap().name, "Annalee", "an exact name wins");
        let error = roster.find("anna lee").unwrap_err().to_string();
        assert!(error.contains("line 3") && error.contains("line 4"), "{error}");
        let error = roster.find("Zoey Adams").unwrap_err().to_string();
        assert!(error.contains("closest") && error.contains("\"Zoe Adams\""), "{error}");
    }
}
