//! The config text read once into a tree of nodes that remember where they
//! are written and, for scalars, their literal text and style.
//!
//! Numbers stay text here: `0.1` is the three characters the user typed, so
//! the config can read it as an exact decimal. The tree is built from the
//! events of yaml-rust2's parser; its syntax errors keep the parser's own
//! position and description.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// Most nodes a document may expand to (aliases included): far more than any
/// config needs, far less than an alias bomb.
const MAX_NODES: usize = 100_000;

/// A 1-based line and column, ordered as in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl From<Marker> for Mark {
    fn from(marker: Marker) -> Self {
        Mark { line: marker.line(), column: marker.col() + 1 }
    }
}

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: `0.1`, `sigmoid`, or nothing at all.
    Plain,
    /// In single or double quotes: `"0.1"`.
    Quoted,
    /// A block scalar: `|` or `>`.
    Block,
}

/// One value of the document and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value starts; for an empty value, where its key is.
    pub mark: Mark,
    /// The value.
    pub kind: Kind,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar: its text as written (quotes and escapes resolved) and its style.
    Scalar(String, Style),
    /// A sequence, in order.
    Sequence(Vec<Node>),
    /// A mapping, in order: each key (a node too) with its value. Keys are
    /// unique: [`parse`] refuses a repeated scalar key.
    Mapping(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, when the node is a scalar.
    pub fn scalar(&self) -> Option<(&str, Style)> {
        match &self.kind {
            Kind::Scalar(text, style) => Some((text, *style)),
            _ => None,
        }
    }

    /// Whether the node is YAML's null: nothing, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(("" | "~" | "null" | "Null" | "NULL", Style::Plain)))
    }
}

/// A document that is not valid YAML: where the parser stopped and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the problem is.
    pub mark: Mark,
    /// What is wrong, in the parser's words.
    pub message: String,
}

impl From<ScanError> for SyntaxError {
    fn from(error: ScanError) -> Self {
        SyntaxError { mark: (*error.marker()).into(), message: error.info().to_owned() }
    }
}

/// Reads `text` as one YAML document; `None` when it holds no document.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text).load(&mut builder, true)?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    let mut documents = builder.documents.into_iter();
    let first = documents.next();
    if let Some(second) = documents.next() {
        return Err(SyntaxError {
            mark: second.mark,
            message:
                "the file holds more than one YAML document (a second one starts after `---`); a config is one document"
                    .to_owned(),
        });
    }
    Ok(first)
}

/// A sequence or mapping whose end has not been read yet.
enum Open {
    Sequence {
        mark: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        mark: Mark,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Where each scalar key read so far is.
        seen: HashMap<String, Mark>,
    },
}

/// Builds the tree from the parser's events; keeps the first problem it meets.
#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
    nodes: usize,
    error: Option<SyntaxError>,
}

impl Builder {
    fn fail(&mut self, mark: Mark, message: String) {
        self.error.get_or_insert(SyntaxError { mark, message });
    }

    /// Adds a finished node to the container being read (or as a document).
    fn finish(&mut self, mut node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let duplicate = match self.open.last_mut() {
            None => {
                self.documents.push(node);
                None
            }
            Some(Open::Sequence { items, .. }) => {
                items.push(node);
                None
            }
            Some(Open::Mapping { entries, key, seen, .. }) => match key.take() {
                Some(key) => {
                    if node.kind == Kind::Scalar(String::new(), Style::Plain) {
                        // The parser places an empty value at the next token,
                        // often on a later line: its key is what to point at.
                        node.mark = key.mark;
                    }
                    entries.push((key, node));
                    None
                }
                None => {
                    let repeated = match node.scalar() {
                        Some((text, _)) => seen.insert(text.to_owned(), node.mark),
                        None => None,
                    };
                    let duplicate = repeated.map(|first| (node.clone(), first));
                    *key = Some(node);
                    duplicate
                }
            },
        };
        if let Some((key, first)) = duplicate {
            let name = key.scalar().map_or("", |(text, _)| text).to_owned();
            self.fail(
                key.mark,
                format!(
                    "duplicate key `{name}`: it is already given at line {} (each key may appear only once)",
                    first.line
                ),
            );
        }
    }

    fn count(&mut self, mark: Mark, nodes: usize) -> bool {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            self.fail(mark, format!("the document expands to more than {MAX_NODES} values (too many aliases?)"));
        }
        self.error.is_none()
    }
}

/// The number of nodes in `node`, itself included.
fn size(node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar(..) => 1,
        Kind::Sequence(items) => 1 + items.iter().map(size).sum::<usize>(),
        Kind::Mapping(entries) => 1 + entries.iter().map(|(k, v)| size(k) + size(v)).sum::<usize>(),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        let mark = Mark::from(marker);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.count(mark, 1) {
                    // `!!str 0.1` and `! 0.1` are strings, however they look.
                    let string_tag = tag.is_some_and(|t| t.suffix == "str" || (t.handle == "!" && t.suffix.is_empty()));
                    let style = match style {
                        TScalarStyle::Plain if string_tag => Style::Quoted,
                        TScalarStyle::Plain => Style::Plain,
                        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Style::Quoted,
                        TScalarStyle::Literal | TScalarStyle::Folded => Style::Block,
                    };
                    self.finish(Node { mark, kind: Kind::Scalar(text, style) }, anchor);
                }
            }
            Event::SequenceStart(anchor, _) => self.open.push(Open::Sequence { mark, anchor, items: Vec::new() }),
            Event::MappingStart(anchor, _) => {
                self.open.push(Open::Mapping { mark, anchor, entries: Vec::new(), key: None, seen: HashMap::new() })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.open.pop() {
                    Some(Open::Sequence { mark, anchor, items }) => {
                        (Node { mark, kind: Kind::Sequence(items) }, anchor)
                    }
                    Some(Open::Mapping { mark, anchor, entries, .. }) => {
                        // The parser marks a block mapping after its first
                        // key; the mapping starts where that key does.
                        let mark = entries.first().map_or(mark, |(key, _)| key.mark.min(mark));
                        (Node { mark, kind: Kind::Mapping(entries) }, anchor)
                    }
                    None => return,
                };
                if self.count(mark, 1) {
                    self.finish(node, anchor);
                }
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor).cloned() {
                Some(mut node) => {
                    if self.count(mark, size(&node)) {
                        node.mark = mark;
                        self.finish(node, 0);
                    }
                }
                None => self.fail(mark, "this alias refers to an anchor that is not defined before it".to_owned()),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        parse(text).unwrap_or_else(|e| panic!("{e:?}")).expect("a document")
    }

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        match &node.kind {
            Kind::Mapping(entries) => {
                &entries.iter().find(|(k, _)| k.scalar().is_some_and(|(t, _)| t == key)).expect(key).1
            }
            other => panic!("not a mapping: {other:?}"),
        }
    }

    fn item(node: &Node, index: usize) -> &Node {
        match &node.kind {
            Kind::Sequence(items) => &items[index],
            other => panic!("not a sequence: {other:?}"),
        }
    }

    fn at(node: &Node) -> (usize, usize) {
        (node.mark.line, node.mark.column)
    }

    #[test]
    fn block_and_flow_nodes_know_their_position() {
        let root = tree("title: T\nnetwork:\n  input: 2\n  layers:\n    - { coefficient: 3, weight: 0.1 }\n    - coefficient: -2\n      weight: 3\n");
        assert_eq!(at(&root), (1, 1));
        let network = get(&root, "network");
        assert_eq!(at(network), (3, 3), "a block mapping starts at its first key");
        assert_eq!(at(get(network, "input")), (3, 10));
        let layers = get(network, "layers");
        assert_eq!(at(layers), (5, 5), "a block sequence starts at its first dash");
        assert_eq!(at(item(layers, 0)), (5, 7), "a flow mapping starts at its brace");
        assert_eq!(at(get(item(layers, 0), "weight")), (5, 33));
        assert_eq!(at(get(item(layers, 1), "coefficient")), (6, 20));
    }

    #[test]
    fn scalars_keep_their_literal_text_and_style() {
        let root = tree("a: 0.10\nb: \"0.1\"\nc: '2'\nd: [1e3, .nan]\ne: |\n  text\nf:\n");
        assert_eq!(get(&root, "a").scalar(), Some(("0.10", Style::Plain)));
        assert_eq!(get(&root, "b").scalar(), Some(("0.1", Style::Quoted)));
        assert_eq!(get(&root, "c").scalar(), Some(("2", Style::Quoted)));
        assert_eq!(item(get(&root, "d"), 0).scalar(), Some(("1e3", Style::Plain)));
        assert_eq!(item(get(&root, "d"), 1).scalar(), Some((".nan", Style::Plain)));
        assert_eq!(get(&root, "e").scalar(), Some(("text\n", Style::Block)));
        let tagged = tree("a: !!str 0.1\nb: !!float 1\n");
        assert_eq!(get(&tagged, "a").scalar(), Some(("0.1", Style::Quoted)), "an explicit string");
        assert_eq!(get(&tagged, "b").scalar(), Some(("1", Style::Plain)));
        let empty = get(&root, "f");
        assert!(empty.is_null());
        assert_eq!(at(empty), (7, 1), "an empty value points at its key");
    }

    #[test]
    fn a_repeated_key_is_refused_where_it_repeats() {
        let error = parse("nudge: 0.1\nnetwork: { input: 1 }\nnudge: 0.2\n").unwrap_err();
        assert_eq!(error.mark, Mark { line: 3, column: 1 });
        assert!(error.message.contains("duplicate key `nudge`"), "{}", error.message);
        assert!(error.message.contains("line 1"), "{}", error.message);
        let nested = parse("a: { x: 1, y: 2, x: 3 }\n").unwrap_err();
        assert_eq!(nested.mark, Mark { line: 1, column: 18 });
        // The same key in different mappings is fine.
        assert!(parse("a: { x: 1 }\nb: { x: 1 }\n").is_ok());
    }

    #[test]
    fn syntax_errors_carry_the_parser_position() {
        let error = parse("title: \"open\nnudge: 1\n").unwrap_err();
        assert_eq!(error.mark.line, 1);
        assert!(error.message.contains("quoted"), "{}", error.message);
        let error = parse("a:\n  b: 1\n   c: 2\n").unwrap_err();
        assert_eq!(error.mark.line, 3);
    }

    #[test]
    fn aliases_copy_their_anchor_and_bombs_are_refused() {
        let root = tree("w: &w { from: 1, to: 3 }\nv: *w\n");
        assert_eq!(get(&root, "v").kind, get(&root, "w").kind);
        assert_eq!(at(get(&root, "v")), (2, 4));
        let mut bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
        for i in 1..8 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&bomb).unwrap_err().message.contains("more than"));
    }

    #[test]
    fn an_empty_text_has_no_document_and_two_documents_are_refused() {
        assert_eq!(parse("# only a comment\n").unwrap(), None);
        assert!(parse("a: 1\n---\nb: 2\n").unwrap_err().message.contains("more than one"));
    }
}
