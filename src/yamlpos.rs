//! Where each value of a YAML document sits, and the exact text of its scalars.
//!
//! serde_yaml reads numbers as `f64`, which loses the literal (`0.1` is not one
//! tenth as a double), and it does not say where a valid but unacceptable value
//! is. This index walks the same text with a YAML event parser and records, for
//! every node path (`network.layers[0].weight`), its position and its literal.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One node of the document.
#[derive(Clone, Debug)]
pub struct Node {
    /// 1-based line of the node.
    pub line: usize,
    /// 1-based column of the node.
    pub column: usize,
    /// The literal text, for a plain (unquoted) scalar.
    pub plain: Option<String>,
}

/// Node positions by path: `title`, `network.layers[1].coefficient`, `nudge.one_of[0]`.
#[derive(Debug, Default)]
pub struct PositionIndex {
    nodes: HashMap<String, Node>,
    keys: HashMap<String, Node>,
    duplicates: Vec<Node>,
}

impl PositionIndex {
    /// Indexes `text`; a document the event parser cannot read gives an empty index.
    pub fn new(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return PositionIndex::default();
        }
        PositionIndex { nodes: builder.nodes, keys: builder.keys, duplicates: builder.duplicates }
    }

    /// The key of the mapping entry at `path`, if it is one.
    pub fn key(&self, path: &str) -> Option<&Node> {
        self.keys.get(path)
    }

    /// Keys that repeat an earlier key of the same mapping, in document order.
    pub fn duplicates(&self) -> &[Node] {
        &self.duplicates
    }

    /// The node at `path`, if present.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }
}

enum Frame {
    Mapping { path: String, pending_key: Option<String>, seen: std::collections::HashSet<String> },
    Sequence { path: String, next: usize },
}

#[derive(Default)]
struct Builder {
    nodes: HashMap<String, Node>,
    keys: HashMap<String, Node>,
    duplicates: Vec<Node>,
    stack: Vec<Frame>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder {
    /// The path of the node that starts now, or `None` when it is a mapping key.
    fn next_path(&mut self, key_text: Option<&str>, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some(p)
            }
            Some(Frame::Mapping { path, pending_key, seen }) => match pending_key.take() {
                Some(key) => Some(join(path, &key)),
                None => {
                    let key = key_text.unwrap_or("?").to_owned();
                    let node = Node { line: mark.line(), column: mark.col() + 1, plain: None };
                    if !seen.insert(key.clone()) {
                        self.duplicates.push(node.clone());
                    }
                    self.keys.entry(join(path, &key)).or_insert(node);
                    *pending_key = Some(key);
                    None
                }
            },
        }
    }

    fn record(&mut self, path: String, mark: Marker, plain: Option<String>) {
        let node = Node { line: mark.line(), column: mark.col() + 1, plain };
        self.nodes.entry(path).or_insert(node);
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, style, _, _) => {
                if let Some(path) = self.next_path(Some(&text), mark) {
                    let plain = (style == TScalarStyle::Plain).then_some(text);
                    self.record(path, mark, plain);
                }
            }
            Event::MappingStart(..) => {
                let path = self.next_path(None, mark).unwrap_or_default();
                self.record(path.clone(), mark, None);
                self.stack.push(Frame::Mapping { path, pending_key: None, seen: Default::default() });
            }
            Event::SequenceStart(..) => {
                let path = self.next_path(None, mark).unwrap_or_default();
                self.record(path.clone(), mark, None);
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Alias(_) => {
                self.next_path(None, mark);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_their_text() {
        let text = "title: T\nnetwork:\n  input: 2\n  layers:\n    - { coefficient: 3, weight: 0.1 }\n    - coefficient: -2\n      weight: 3\nnudge: { one_of: [0.1, 0.5] }\n";
        let index = PositionIndex::new(text);
        let w = index.get("network.layers[0].weight").unwrap();
        assert_eq!((w.line, w.plain.as_deref()), (5, Some("0.1")));
        let c = index.get("network.layers[1].coefficient").unwrap();
        assert_eq!((c.line, c.column, c.plain.as_deref()), (6, 20, Some("-2")));
        assert_eq!(index.get("nudge.one_of[1]").unwrap().plain.as_deref(), Some("0.5"));
        assert_eq!(index.get("network.input").unwrap().line, 3);
    }
}
