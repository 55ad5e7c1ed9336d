//! The mapping from the YAML tree to the raw structs: ours, not a
//! deserializer's, so that each message says in plain words what is wrong and
//! what is allowed, and points at the node. It also records where every value
//! is written, for the checks that come later.

use std::collections::HashMap;

use super::{
    default_digits, default_max_decimals, default_reflection_layers, yes, RawConfig, RawExtension, RawLayer,
    RawNetwork, RawNumber, RawRules, NUMBER_EXPECTED,
};
use crate::config::yaml::{Kind, Mark, Node, Style};
use crate::config::{EXTENSION_DIGITS, MAX_DECIMAL_PLACES, MAX_MAGNITUDE, REFLECTION_LAYERS};
use crate::error::{Error, Place, Result};
use crate::model::{Activation, Paper, Video};
use crate::number::Exact;

/// The fields of the config, of `network`, of a layer, of `video`, of
/// `extension` and of `rules`.
pub const TOP: &[&str] = &[
    "title",
    "credit",
    "author",
    "language",
    "paper",
    "intro",
    "video",
    "names_line",
    "date_line",
    "network",
    "nudge",
    "learning_rate",
    "reflection_layers",
    "extension",
    "require",
    "rules",
];
/// See [`TOP`].
pub const NETWORK: &[&str] = &["input", "target", "layers"];
/// See [`TOP`].
pub const LAYER: &[&str] = &["coefficient", "weight"];
/// See [`TOP`].
pub const VIDEO: &[&str] = &["url", "minutes", "source"];
/// See [`TOP`].
pub const EXTENSION: &[&str] = &["activation", "digits"];
/// See [`TOP`].
pub const RULES: &[&str] = &["nonzero_error", "nonzero_gradients", "max_decimals"];

/// Where each value of the config is written, by path (`title`,
/// `network.layers[1].weight`, `nudge.one_of[0]`).
#[derive(Debug, Clone)]
pub struct Places {
    by_path: HashMap<String, Place>,
    start: Place,
    /// The values that could not be read: their problem is reported
    /// already, and what stands in for them must not be judged.
    unread: std::collections::HashSet<String>,
}

impl Places {
    /// Where `path` is written, or its nearest written ancestor (a default
    /// value is not written anywhere).
    pub fn at(&self, path: &str) -> Place {
        let mut path = path;
        loop {
            if let Some(place) = self.by_path.get(path) {
                return place.clone();
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return self.start.clone(),
            }
        }
    }

    /// Where `path` is written, if it is.
    pub fn written(&self, path: &str) -> Option<&Place> {
        self.by_path.get(path)
    }

    /// Whether the value at `path` could not be read (its problem is
    /// reported already).
    pub fn unread(&self, path: &str) -> bool {
        self.unread.contains(path)
    }

    /// Whether any value could not be read.
    pub fn any_unread(&self) -> bool {
        !self.unread.is_empty()
    }
}

/// Reads the config from the `root` of the document `text` of `file`. A
/// problem with one value does not stop the reading: an unknown field (a
/// likely misspelling is read as the field it names) or a value that cannot
/// be read (a stand-in takes its place, marked unread in [`Places`]) is
/// returned among the problems found, so that one run reports it with the
/// problems of every other field and those the checks find later.
pub fn read(root: &Node, file: &str, text: &str) -> Result<(RawConfig, Places, Vec<Error>)> {
    let start = Place::new(file, text, 1, 1);
    let places = Places { by_path: HashMap::new(), start, unread: Default::default() };
    let mut reader = Reader { file, text, places, problems: Vec::new() };
    let config = reader.config(root);
    let problems = std::mem::take(&mut reader.problems);
    match config {
        Ok(config) => Ok((config, reader.places, problems)),
        Err(e) => Err(Error::all(problems.into_iter().chain([e]))),
    }
}

/// The mapping from tree to structs, recording where each value is.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    places: Places,
    /// The problems found so far that did not stop the reading.
    problems: Vec<Error>,
}

/// The entries of a mapping whose keys have been checked.
struct Fields<'n> {
    path: String,
    mark: Mark,
    entries: Vec<(&'n str, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value of `name`, unless absent or null.
    fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(key, _)| *key == name).map(|(_, node)| *node).filter(|node| !node.is_null())
    }

    /// The path of field `name`.
    fn path(&self, name: &str) -> String {
        join(&self.path, name)
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// What stands in for a number that cannot be read (see [`Reader::soft`]).
fn stand_in_number() -> RawNumber {
    RawNumber::Value(Exact::int(1))
}

/// `` `a`, `b` or `c` ``.
fn one_of_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// What a node is, for "found …" in messages.
fn describe(node: &Node) -> String {
    match &node.kind {
        _ if node.is_null() => "nothing".to_owned(),
        Kind::Scalar(text, Style::Plain) if Exact::parse(text).is_some() => format!("the number {text}"),
        Kind::Scalar(text, Style::Plain) if bool_value(text).is_some() => format!("`{text}`"),
        Kind::Scalar(text, Style::Block) => format!("a block of text {text:?}"),
        Kind::Scalar(text, _) => format!("the string {text:?}"),
        Kind::Sequence(_) => "a list".to_owned(),
        Kind::Mapping(_) => "a mapping".to_owned(),
    }
}

fn bool_value(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

impl Reader<'_> {
    /// The value of `result`, or else `stand_in` with the problem kept and
    /// `path` marked unread: one value that cannot be read does not hide the
    /// problems of the others.
    fn soft<T>(&mut self, path: &str, result: Result<T>, stand_in: T) -> T {
        match result {
            Ok(value) => value,
            Err(error) => {
                self.problems.push(error);
                self.places.unread.insert(path.to_owned());
                stand_in
            }
        }
    }

    fn error(&self, mark: Mark, message: impl Into<String>) -> Error {
        self.place(mark).error(message).into()
    }

    fn place(&self, mark: Mark) -> Place {
        Place::new(self.file, self.text, mark.line, mark.column)
    }

    fn record(&mut self, path: &str, node: &Node) {
        let place = self.place(node.mark);
        self.places.by_path.insert(path.to_owned(), place);
    }

    /// "`path`: expected WHAT, found …" at `node`.
    fn wrong_type(&self, path: &str, node: &Node, expected: &str) -> Error {
        let subject = if path.is_empty() { String::new() } else { format!("`{path}`: ") };
        self.error(node.mark, format!("{subject}expected {expected}, found {}", describe(node)))
    }

    /// The entries of the mapping `node` at `path`, every key one of `names`.
    fn fields<'n>(&mut self, node: &'n Node, path: &str, expected: &str, names: &[&'static str]) -> Result<Fields<'n>> {
        self.record(path, node);
        let Kind::Mapping(entries) = &node.kind else {
            return Err(self.wrong_type(path, node, expected));
        };
        let mut fields = Fields { path: path.to_owned(), mark: node.mark, entries: Vec::with_capacity(entries.len()) };
        let mut previous: Option<(&Node, &Node)> = None;
        for (key, value) in entries {
            let name = match key.scalar() {
                Some((name, _)) if names.contains(&name) => name,
                _ => {
                    let within = if path.is_empty() { String::new() } else { format!(" in `{path}`") };
                    self.problems.push(self.error(key.mark, unknown_field(key, previous, &within, names)));
                    if let Some(name) = split_by_comma(key, previous) {
                        // `coefficient: 0,5` read as 0: its problem is the comma, nothing else.
                        self.places.unread.insert(join(path, name));
                    }
                    match stand_in(key, names, entries) {
                        Some(name) => name,
                        None => {
                            previous = Some((key, value));
                            continue;
                        }
                    }
                }
            };
            previous = Some((key, value));
            self.record(&fields.path(name), value);
            fields.entries.push((name, value));
        }
        Ok(fields)
    }

    /// The value of the field `name`, which must be given.
    fn required<'n>(&self, fields: &Fields<'n>, name: &str) -> Result<&'n Node> {
        match fields.entries.iter().find(|(key, _)| *key == name) {
            Some((_, node)) => Ok(node),
            None if fields.path.is_empty() => Err(self.error(fields.mark, format!("missing field `{name}`"))),
            None => Err(self.error(fields.mark, format!("missing field `{name}` in `{}`", fields.path))),
        }
    }

    fn text(&self, node: &Node, path: &str) -> Result<String> {
        match node.scalar() {
            Some((text, _)) => Ok(text.to_owned()),
            None => Err(self.wrong_type(path, node, "text")),
        }
    }

    fn optional_text(&self, fields: &Fields, name: &str) -> Result<Option<String>> {
        fields.get(name).map(|node| self.text(node, &fields.path(name))).transpose()
    }

    fn flag(&self, fields: &Fields, name: &str) -> Result<Option<bool>> {
        let Some(node) = fields.get(name) else { return Ok(None) };
        match node.scalar() {
            Some((text, Style::Plain)) if bool_value(text).is_some() => Ok(bool_value(text)),
            _ => Err(self.wrong_type(&fields.path(name), node, "`true` or `false`")),
        }
    }

    /// A whole number of type `T` (`u32`, `u64`); `range` says which ones
    /// the field takes, for the message when it is not a whole number (the
    /// checks refuse one outside it).
    fn whole<T: std::str::FromStr + ToString + Bounded>(
        &self,
        node: &Node,
        path: &str,
        range: Option<(u64, u64)>,
    ) -> Result<T> {
        let expected = match range {
            Some((low, high)) => format!("a whole number from {low} to {high}"),
            None => format!("a whole number from 0 to {}", T::MAX.to_string()),
        };
        match node.scalar() {
            Some((text, Style::Plain)) => {
                let digits = text.strip_prefix('+').unwrap_or(text);
                match digits.parse::<T>() {
                    Ok(value) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(value),
                    _ if Exact::parse(text).is_some() => {
                        Err(self.error(node.mark, format!("`{path}`: expected {expected}, found {text}")))
                    }
                    _ => Err(self.wrong_type(path, node, &expected)),
                }
            }
            _ => Err(self.wrong_type(path, node, &expected)),
        }
    }

    /// One of the `names` of an enum, given as `(name, value)` pairs, or one
    /// of their `aliases`; ignoring case, and `_` or a space for `-`.
    fn choice<T: Copy>(&self, node: &Node, path: &str, names: &[(&str, T)], aliases: &[(&str, T)]) -> Result<T> {
        let valid: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
        match node.scalar() {
            Some((text, _)) => {
                let folded = text.trim().to_lowercase().replace(['_', ' '], "-");
                match names.iter().chain(aliases).find(|(name, _)| *name == folded) {
                    Some((_, value)) => Ok(*value),
                    None => {
                        let hint = did_you_mean(&folded, &valid)
                            .map_or_else(|| "valid".to_owned(), |n| format!("did you mean `{n}`? The valid"));
                        let valid = one_of_names(&valid);
                        let message = format!("`{path}`: unknown value `{text}`; {hint} values are {valid}");
                        Err(self.error(node.mark, message))
                    }
                }
            }
            None => Err(self.wrong_type(path, node, &one_of_names(&valid))),
        }
    }
}

/// The first and last value of `range`, for messages.
fn bounds(range: &std::ops::RangeInclusive<u32>) -> (u64, u64) {
    (u64::from(*range.start()), u64::from(*range.end()))
}

/// Integer types with a largest value, for messages.
trait Bounded {
    const MAX: Self;
}

impl Bounded for u32 {
    const MAX: Self = u32::MAX;
}

impl Bounded for u64 {
    const MAX: Self = u64::MAX;
}

impl Reader<'_> {
    fn config(&mut self, root: &Node) -> Result<RawConfig> {
        let expected = "the config's fields (title, network, nudge, learning_rate, …)";
        let fields = self.fields(root, "", expected, TOP)?;
        let network = self.required(&fields, "network").map_err(|e| self.network_elsewhere(&fields).unwrap_or(e))?;
        let title = self.required(&fields, "title").and_then(|node| self.text(node, "title"));
        let title = self.soft("title", title, String::new());
        let credit = self.optional_text(&fields, "credit");
        let credit = self.soft("credit", credit, None);
        let author = self.optional_text(&fields, "author");
        let author = self.soft("author", author, None);
        let language = self.optional_text(&fields, "language");
        let language = self.soft("language", language, None);
        let paper = match fields.get("paper") {
            Some(node) => self.choice(
                node,
                "paper",
                &[("us-letter", Paper::UsLetter), ("a4", Paper::A4)],
                &[("letter", Paper::UsLetter), ("usletter", Paper::UsLetter)],
            ),
            None => Ok(Paper::default()),
        };
        let paper = self.soft("paper", paper, Paper::default());
        let intro = self.optional_text(&fields, "intro");
        let intro = self.soft("intro", intro, None);
        let video = fields.get("video").map(|node| self.video(node)).transpose();
        let video = self.soft("video", video, None);
        let names_line = self.flag(&fields, "names_line");
        let names_line = self.soft("names_line", names_line, None).unwrap_or_else(yes);
        let date_line = self.flag(&fields, "date_line");
        let date_line = self.soft("date_line", date_line, None).unwrap_or_else(yes);
        let network = self.network(network)?;
        let nudge = self.required(&fields, "nudge").and_then(|node| self.number(node, "nudge"));
        let nudge = self.soft("nudge", nudge, stand_in_number());
        let learning_rate = self.required(&fields, "learning_rate").and_then(|node| self.number(node, "learning_rate"));
        let learning_rate = self.soft("learning_rate", learning_rate, stand_in_number());
        let reflection_layers = match fields.get("reflection_layers") {
            Some(node) => self.whole(node, "reflection_layers", Some(bounds(&REFLECTION_LAYERS))),
            None => Ok(default_reflection_layers()),
        };
        let reflection_layers = self.soft("reflection_layers", reflection_layers, default_reflection_layers());
        let extension = fields.get("extension").map(|node| self.extension(node)).transpose();
        let extension = self.soft("extension", extension, None);
        let require = fields.get("require").map(|node| self.require(node)).transpose();
        let require = self.soft("require", require, None).unwrap_or_default();
        let rules = fields.get("rules").map(|node| self.rules(node)).transpose();
        let rules = self.soft("rules", rules, None).unwrap_or_default();
        Ok(RawConfig {
            title,
            credit,
            author,
            language,
            paper,
            intro,
            video,
            names_line,
            date_line,
            network,
            nudge,
            learning_rate,
            reflection_layers,
            extension,
            require,
            rules,
        })
    }

    /// For a config without `network:`, a field whose mapping holds the
    /// network's `input`, `target` or `layers` (the line `network:` was
    /// deleted and its children joined the field above).
    fn network_elsewhere(&self, fields: &Fields) -> Option<Error> {
        fields.entries.iter().find_map(|(name, value)| {
            let Kind::Mapping(entries) = &value.kind else { return None };
            let (key, _) =
                entries.iter().find(|(key, _)| matches!(key.scalar(), Some(("input" | "target" | "layers", _))))?;
            let message = format!(
                "missing field `network`: `input`, `target` and `layers` must sit under `network:`, but they are \
                 indented under `{name}`; add the line `network:` (not indented) above line {}",
                key.mark.line
            );
            Some(self.error(key.mark, message))
        })
    }

    fn network(&mut self, node: &Node) -> Result<RawNetwork> {
        let fields = self.fields(node, "network", "the network's fields (input, target, layers)", NETWORK)?;
        let (input, target, layers) =
            (self.required(&fields, "input")?, self.required(&fields, "target")?, self.required(&fields, "layers")?);
        let Kind::Sequence(items) = &layers.kind else {
            return Err(self.wrong_type(
                "network.layers",
                layers,
                "a list of layers `- { coefficient: C, weight: W }`",
            ));
        };
        let mut raw_layers = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("network.layers[{i}]");
            let layer = self.fields(item, &path, "a layer `{ coefficient: C, weight: W }`", LAYER)?;
            let (coefficient, weight) = (self.required(&layer, "coefficient")?, self.required(&layer, "weight")?);
            let (c, w) = (layer.path("coefficient"), layer.path("weight"));
            let coefficient = self.number(coefficient, &c);
            let weight = self.number(weight, &w);
            raw_layers.push(RawLayer {
                coefficient: self.soft(&c, coefficient, stand_in_number()),
                weight: self.soft(&w, weight, stand_in_number()),
            });
        }
        let input = self.number(input, "network.input");
        let target = self.number(target, "network.target");
        Ok(RawNetwork {
            input: self.soft("network.input", input, stand_in_number()),
            target: self.soft("network.target", target, stand_in_number()),
            layers: raw_layers,
        })
    }

    fn video(&mut self, node: &Node) -> Result<Video> {
        let fields = self.fields(node, "video", "`{ url: ..., minutes: 18, source: ... }`", VIDEO)?;
        let url = self.required(&fields, "url")?;
        Ok(Video {
            url: self.text(url, "video.url")?,
            minutes: fields.get("minutes").map(|node| self.whole(node, "video.minutes", None)).transpose()?,
            source: self.optional_text(&fields, "source")?,
        })
    }

    fn extension(&mut self, node: &Node) -> Result<RawExtension> {
        let fields = self.fields(node, "extension", "`{ activation: sigmoid, digits: 4 }`", EXTENSION)?;
        let activation = self.required(&fields, "activation")?;
        let activations = [("sigmoid", Activation::Sigmoid), ("tanh", Activation::Tanh), ("relu", Activation::Relu)];
        let activation = self.choice(activation, "extension.activation", &activations, &[]);
        let digits = fields
            .get("digits")
            .map(|node| self.whole(node, "extension.digits", Some(bounds(&EXTENSION_DIGITS))))
            .transpose();
        Ok(RawExtension {
            activation: self.soft("extension.activation", activation, Activation::Sigmoid),
            digits: self.soft("extension.digits", digits, None).unwrap_or_else(default_digits),
        })
    }

    fn rules(&mut self, node: &Node) -> Result<RawRules> {
        let fields = self.fields(node, "rules", "the rules' fields", RULES)?;
        Ok(RawRules {
            nonzero_error: self.flag(&fields, "nonzero_error")?.unwrap_or_else(yes),
            nonzero_gradients: self.flag(&fields, "nonzero_gradients")?.unwrap_or_else(yes),
            max_decimals: match fields.get("max_decimals") {
                // `false` turns the rule off; `true` keeps it as it is by default.
                Some(node) => {
                    match node.scalar().filter(|(_, style)| *style == Style::Plain).and_then(|(t, _)| bool_value(t)) {
                        Some(false) => None,
                        Some(true) => default_max_decimals(),
                        None => Some(self.whole(node, "rules.max_decimals", Some((0, 12))).map_err(|_| {
                            self.wrong_type(
                                "rules.max_decimals",
                                node,
                                "a whole number from 0 to 12, or `false` to turn the rule off",
                            )
                        })?),
                    }
                }
                None => default_max_decimals(),
            },
        })
    }

    fn require(&mut self, node: &Node) -> Result<Vec<String>> {
        let Kind::Sequence(items) = &node.kind else {
            return Err(self.wrong_type("require", node, "a list of constraints such as `- error >= 2`"));
        };
        let mut require = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("require[{i}]");
            self.record(&path, item);
            require.push(self.text(item, &path)?);
        }
        Ok(require)
    }

    /// A number, range or choice at `path`.
    fn number(&mut self, node: &Node, path: &str) -> Result<RawNumber> {
        self.record(path, node);
        let entries = match &node.kind {
            Kind::Scalar(..) => return Ok(RawNumber::Value(self.literal(node, path)?)),
            Kind::Sequence(_) => {
                let message = format!(
                    "`{path}`: expected {NUMBER_EXPECTED}, found a list (write a choice as `{{ one_of: [...] }}`)"
                );
                return Err(self.error(node.mark, message));
            }
            Kind::Mapping(entries) => entries,
        };
        let names = ["from", "to", "step", "one_of"];
        let mut given: HashMap<&str, &Node> = HashMap::new();
        let mut previous: Option<(&Node, &Node)> = None;
        for (key, value) in entries {
            match key.scalar() {
                Some((name, _)) if names.contains(&name) => {
                    self.record(&join(path, name), value);
                    given.insert(name, value);
                }
                _ => {
                    let message = format!("`{path}`: {}", unknown_field(key, previous, "", &names));
                    self.problems.push(self.error(node.mark, message));
                    if split_by_comma(key, previous).is_some() {
                        // `step: 0,5` read as 0: its problem is the comma, nothing else.
                        self.places.unread.insert(path.to_owned());
                    }
                    if let Some(name) = stand_in(key, &names, entries) {
                        self.record(&join(path, name), value);
                        given.insert(name, value);
                    }
                }
            }
            previous = Some((key, value));
        }
        let value = |reader: &mut Self, name: &str| match given.get(name) {
            Some(node) => reader.literal(node, &join(path, name)).map(Some),
            None => Ok(None),
        };
        if let Some(choices) = given.get("one_of") {
            if given.len() > 1 {
                return Err(
                    self.error(node.mark, format!("`{path}`: `one_of` cannot be combined with `from`, `to` or `step`"))
                );
            }
            return self.choices(choices, &join(path, "one_of"));
        }
        let (from, to, step) = (value(self, "from")?, value(self, "to")?, value(self, "step")?);
        match (from, to) {
            (Some(from), Some(to)) => Ok(RawNumber::Range { from, to, step }),
            _ if given.is_empty() => {
                Err(self.error(node.mark, format!("`{path}`: expected {NUMBER_EXPECTED}, found an empty mapping")))
            }
            (None, _) => Err(self.error(node.mark, format!("missing field `from` in `{path}`"))),
            (_, None) => Err(self.error(node.mark, format!("missing field `to` in `{path}`"))),
        }
    }

    /// The `one_of` list at `path`.
    fn choices(&mut self, node: &Node, path: &str) -> Result<RawNumber> {
        let Kind::Sequence(items) = &node.kind else {
            return Err(self.wrong_type(path, node, "a list of numbers `[A, B, ...]`"));
        };
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            self.record(&item_path, item);
            values.push(self.literal(item, &item_path)?);
        }
        let commas = self.decimal_commas(items, path);
        if !commas.is_empty() {
            return Err(Error::all(commas));
        }
        Ok(RawNumber::OneOf(values))
    }

    /// The numbers of the flow list `items` at `path` written with a
    /// decimal comma: in `[1,5, 2]` YAML reads `1,5` as two numbers, 1 and
    /// 5, so two plain numbers joined by a comma with no space after it are
    /// refused, each pair at its place, with both readings' spelling.
    fn decimal_commas(&self, items: &[Node], path: &str) -> Vec<Error> {
        let mut errors = Vec::new();
        let mut i = 0;
        while i + 1 < items.len() {
            let (a, b) = (&items[i], &items[i + 1]);
            let joined = match (a.scalar(), b.scalar()) {
                (Some((x, Style::Plain)), Some((y, Style::Plain))) => {
                    let line = self.text.lines().nth(a.mark.line.saturating_sub(1)).unwrap_or("");
                    let end = a.mark.column - 1 + x.chars().count();
                    let digits =
                        |t: &str| !t.is_empty() && t.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit());
                    (b.mark.line == a.mark.line && b.mark.column == end + 2 && line.chars().nth(end) == Some(','))
                        .then_some((x, y))
                        .filter(|(x, y)| digits(x) && y.bytes().all(|c| c.is_ascii_digit()))
                }
                _ => None,
            };
            let Some((whole, fraction)) = joined else {
                i += 1;
                continue;
            };
            // YAML reads `05` as 5.
            let read = match fraction.trim_start_matches('0') {
                "" => "0",
                digits => digits,
            };
            let mut message = format!(
                "`{path}`: `{whole},{fraction}` is not a number: write {whole}.{fraction} with a dot (in `[ ]` a comma \
                 separates the values, so `[{whole},{fraction}]` is the two numbers {whole} and {read})"
            );
            if !(fraction.len() > 1 && fraction.starts_with('0')) {
                message.push_str(&format!(
                    "; if you meant two values, put a space after the comma: `[{whole}, {fraction}]`"
                ));
            }
            errors.push(self.error(a.mark, message));
            i += 2;
        }
        errors
    }

    /// The exact value of the number literal `node`.
    fn literal(&self, node: &Node, path: &str) -> Result<Exact> {
        let text = match node.scalar() {
            Some((text, Style::Plain)) => text,
            Some((text, _)) if Exact::parse(text).is_some() => {
                let message =
                    format!("`{path}`: expected a number, found the string {text:?} (write numbers without quotes)");
                return Err(self.error(node.mark, message));
            }
            _ => return Err(self.wrong_type(path, node, NUMBER_EXPECTED)),
        };
        if let Some(value) = Exact::parse(text) {
            return Ok(value);
        }
        let unsigned = text.trim_start_matches(['-', '+']);
        let problem = if matches!(unsigned, ".nan" | ".NaN" | ".NAN") {
            format!("`{path}` must be a finite number, not NaN")
        } else if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
            format!("`{path}` must be a finite number, not {}inf", if text.starts_with('-') { "-" } else { "" })
        } else if let Some(positive) = beyond_exponent_is_positive(text) {
            match positive {
                true => format!("{text} is too large: numbers must lie between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}"),
                false => crate::config::check::too_many_places(path, text, &Exact::int(0)),
            }
        } else if let Some(message) = decimal_comma(text) {
            format!("`{path}`: {message}")
        } else if let Some(message) = as_decimal(text) {
            format!("`{path}`: {message}")
        } else if unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            format!("`{text}` is not a decimal number; write it like 2, -0.5 or 1.25")
        } else {
            return Err(self.wrong_type(path, node, NUMBER_EXPECTED));
        };
        Err(self.error(node.mark, problem))
    }
}

/// The message for the key `key` that is not one of `names` (`within` says
/// where, `" in `network`"`): a field the key may be a misspelling of, or,
/// for a number key after a number in `{ … }` (`weight: 1,5 }`), that the
/// comma there separates fields; and always the valid names.
fn unknown_field(key: &Node, previous: Option<(&Node, &Node)>, within: &str, names: &[&str]) -> String {
    let valid = one_of_names(names);
    let Some((written, _)) = key.scalar() else {
        return format!("unknown field {}{within}, valid names are {valid}", describe(key));
    };
    if let (Some(name), Some((_, value))) = (split_by_comma(key, previous), previous) {
        let number = value.scalar().map_or("", |(text, _)| text);
        return format!(
            "unknown field `{written}`{within}: inside `{{ … }}` a comma separates fields, so `{name}: \
             {number},{written}` reads as `{name}: {number}` and a field `{written}`; write the number with a dot, \
             `{name}: {number}.{written}` (valid names are {valid})"
        );
    }
    match did_you_mean(written, names) {
        Some(name) => format!("unknown field `{written}`{within}: did you mean `{name}`? The valid names are {valid}"),
        None => format!("unknown field `{written}`{within}, valid names are {valid}"),
    }
}

/// For the key `key` that follows the field `previous` in `{ … }`, the
/// name of that field when the two are a number written with a decimal
/// comma (`weight: 1,5 }` reads as `weight: 1` and a field `5`).
fn split_by_comma<'n>(key: &Node, previous: Option<(&'n Node, &Node)>) -> Option<&'n str> {
    let written = key.scalar()?.0;
    let (name, value) = previous?;
    let (number, style) = value.scalar()?;
    let digits = !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit());
    (style == Style::Plain && digits && !number.contains(['.', 'e', 'E']) && Exact::parse(number).is_some())
        .then_some(name.scalar()?.0)
}

/// The field an unknown `key` of a mapping with `entries` is read as, so
/// that one misspelling is one problem (not also a missing field): the name
/// it is a likely misspelling of, unless that name is written too.
fn stand_in<'a>(key: &Node, names: &[&'a str], entries: &[(Node, Node)]) -> Option<&'a str> {
    let name = did_you_mean(key.scalar()?.0, names)?;
    let written = |n: &str| entries.iter().any(|(k, _)| k.scalar().is_some_and(|(s, _)| s == n));
    (!written(name)).then_some(name)
}

/// The one of `names` that `written` is most likely a misspelling of: at
/// most one edit (a letter added, dropped, changed or two swapped) per three
/// letters, ignoring case.
fn did_you_mean<'a>(written: &str, names: &[&'a str]) -> Option<&'a str> {
    let written = written.to_lowercase();
    names
        .iter()
        .map(|name| (strsim::osa_distance(&written, name), *name))
        .filter(|(distance, name)| *distance * 3 <= written.chars().count().max(name.len()))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// For a number written with a decimal comma (`0,1`), what to write instead.
fn decimal_comma(text: &str) -> Option<String> {
    let (whole, fraction) = text.split_once(',')?;
    let dotted = format!("{whole}.{fraction}");
    Exact::parse(&dotted)?;
    if fraction.contains(['.', 'e', 'E']) || whole.contains(['e', 'E']) {
        return None;
    }
    let message = format!("`{text}` is not a number: write {dotted} with a dot (YAML reads a comma as text)");
    if fraction.len() == 3 && !whole.is_empty() && !whole.contains('.') {
        return Some(format!("{message}, or {whole}{fraction} if the comma separates thousands"));
    }
    Some(message)
}

/// For a percentage (`10%`) or a fraction (`1/2`, `½`), which YAML reads as
/// text, the decimal to write instead.
fn as_decimal(text: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization as _;
    // `½` is `1⁄2` with a fraction slash once decomposed.
    let folded: String = text.nfkc().map(|c| if c == '\u{2044}' { '/' } else { c }).collect();
    let folded = folded.trim();
    let (value, what) = if let Some(number) = folded.strip_suffix('%') {
        (Exact::parse(number.trim())?.divided_by(&Exact::int(100))?, "a percentage")
    } else {
        let (numerator, denominator) = folded.split_once('/')?;
        let (numerator, denominator) = (Exact::parse(numerator.trim())?, Exact::parse(denominator.trim())?);
        (numerator.divided_by(&denominator)?, "a fraction")
    };
    let rounded = value.round_places(MAX_DECIMAL_PLACES);
    Some(match rounded == value {
        true => format!("`{text}` is {what}, which YAML reads as text; write it as a decimal: {value}"),
        false => format!(
            "`{text}` is {what}, which YAML reads as text; write it as a decimal with at most \
             {MAX_DECIMAL_PLACES} decimal places, such as {rounded}"
        ),
    })
}

/// For a decimal literal such as `1e999` or `2.5e-200`, whose exponent is
/// beyond what [`Exact::parse`] takes, whether that exponent is positive.
fn beyond_exponent_is_positive(text: &str) -> Option<bool> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let mantissa = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let numeric = mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1;
    let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
    if !numeric || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(!exponent.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml;

    const BASE: &str = "title: T\nnetwork:\n  input: 2\n  target: 20\n  layers:\n    - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 3 }\nnudge: 0.1\nlearning_rate: 0.1\nreflection_layers: 10\n";

    fn read_text(text: &str) -> Result<(RawConfig, Places)> {
        let root = yaml::parse(text).expect("valid YAML").expect("a document");
        let (raw, places, unknown) = read(&root, "t.yaml", text)?;
        match unknown.is_empty() {
            true => Ok((raw, places)),
            false => Err(Error::all(unknown)),
        }
    }

    /// The message and `(line, column)` of the error `text` gives.
    fn refused(text: &str) -> (String, usize, usize) {
        match read_text(text) {
            Err(Error::Source(e)) => (e.message, e.location.line, e.location.column),
            Err(other) => panic!("not a located error: {other}"),
            Ok(_) => panic!("accepted:\n{text}"),
        }
    }

    #[test]
    fn reads_every_field_with_exact_numbers_and_defaults() {
        let text = format!("{BASE}credit: ~\nvideo: {{ url: u, minutes: 18 }}\nextension: {{ activation: relu }}\n");
        let (raw, places) = read_text(&text).unwrap();
        assert_eq!(raw.title, "T");
        assert_eq!(raw.credit, None, "null is absent");
        assert_eq!(raw.paper, Paper::UsLetter);
        assert!(raw.names_line && raw.date_line);
        assert_eq!(raw.nudge, RawNumber::Value(Exact::parse("0.1").unwrap()));
        assert_eq!(raw.network.layers[1].weight, RawNumber::Value(Exact::int(3)));
        assert_eq!(raw.video.unwrap().minutes, Some(18));
        let extension = raw.extension.unwrap();
        assert_eq!((extension.activation, extension.digits), (Activation::Relu, 4));
        assert_eq!(raw.rules, RawRules::default());
        assert_eq!(places.at("network.layers[1].weight").location.line, 7);
        assert_eq!(places.at("extension.digits").location.column, 12, "a default points at its parent");
    }

    #[test]
    fn paper_and_activation_ignore_case_and_take_common_spellings() {
        for (written, paper) in [
            ("A4", Paper::A4),
            ("US-Letter", Paper::UsLetter),
            ("Letter", Paper::UsLetter),
            ("us_letter", Paper::UsLetter),
            ("US Letter", Paper::UsLetter),
        ] {
            let (raw, _) = read_text(&format!("{BASE}paper: {written}\n")).unwrap();
            assert_eq!(raw.paper, paper, "{written}");
        }
        let (raw, _) = read_text(&format!("{BASE}extension: {{ activation: ReLU }}\n")).unwrap();
        assert_eq!(raw.extension.unwrap().activation, Activation::Relu);
    }

    #[test]
    fn ranges_and_choices_keep_their_literals() {
        let text = BASE
            .replace("input: 2", "input: { from: 0.5, to: 2.25, step: 0.25 }")
            .replace("nudge: 0.1", "nudge: { one_of: [0.1, 1e-2, .5] }");
        let (raw, _) = read_text(&text).unwrap();
        let x = |s: &str| Exact::parse(s).unwrap();
        assert_eq!(raw.network.input, RawNumber::Range { from: x("0.5"), to: x("2.25"), step: Some(x("0.25")) });
        assert_eq!(raw.nudge, RawNumber::OneOf(vec![x("0.1"), x("0.01"), x("0.5")]));
    }

    #[test]
    fn an_unknown_field_is_refused_at_its_key_with_the_valid_names() {
        let (message, line, column) = refused(&BASE.replace("  target: 20", "  target: 20\n  targte: 1"));
        assert_eq!((line, column), (5, 3));
        assert!(message.starts_with("unknown field `targte` in `network`"), "{message}");
        assert!(message.ends_with("valid names are `input`, `target` or `layers`"), "{message}");
    }

    #[test]
    fn reflection_layers_defaults_to_the_handouts_ten() {
        let minimal = BASE.replace("reflection_layers: 10\n", "");
        let spec = crate::config::parse(&minimal, "minimal.yaml", "minimal").unwrap();
        let worksheet = spec.fixed().unwrap();
        assert_eq!(worksheet.reflection_layers, 10);
        let solved = crate::answers::Draft::new(worksheet).unwrap();
        let factors = solved.answers().named("reflection_factors").unwrap();
        assert_eq!(factors.value, crate::answers::Value::Count(11));
    }

    #[test]
    fn a_missing_field_is_refused_at_its_mapping() {
        let (message, line, column) = refused(&BASE.replace("learning_rate: 0.1\n", ""));
        assert_eq!((message.as_str(), line, column), ("missing field `learning_rate`", 1, 1));
        let (message, line, column) = refused(&BASE.replace("{ coefficient: 2, weight: 3 }", "{ weight: 3 }"));
        assert_eq!((line, column), (7, 7));
        assert_eq!(message, "missing field `coefficient` in `network.layers[1]`");
    }

    #[test]
    fn a_wrong_type_says_what_was_expected_and_found() {
        let (message, line, column) = refused(&BASE.replace("title: T", "title: [T]"));
        assert_eq!((message.as_str(), line, column), ("`title`: expected text, found a list", 1, 8));
        let (message, ..) = refused(&format!("{BASE}names_line: yes\n"));
        assert_eq!(message, "`names_line`: expected `true` or `false`, found the string \"yes\"");
        let (message, ..) = refused(&BASE.replace("reflection_layers: 10", "reflection_layers: 2.5"));
        assert!(message.contains("whole number") && message.ends_with("found 2.5"), "{message}");
        let (message, ..) = refused(
            &BASE
                .replace("layers:\n", "layers: 2\n")
                .replace("    - { coefficient: 3, weight: 1 }\n    - { coefficient: 2, weight: 3 }\n", ""),
        );
        assert!(message.starts_with("`network.layers`: expected a list of layers"), "{message}");
        assert!(message.ends_with("found the number 2"), "{message}");
        let (message, ..) = refused("just a string\n");
        assert!(message.starts_with("expected the config's fields"), "{message}");
    }

    #[test]
    fn numbers_that_are_not_exact_decimals_are_refused_by_their_text() {
        for (literal, expected) in [
            (".nan", "must be a finite number, not NaN"),
            ("-.inf", "must be a finite number, not -inf"),
            ("1e999", "1e999 is too large"),
            ("1e-999", "more than 6 decimal places"),
            ("0x10", "`0x10` is not a decimal number"),
            ("\"0.1\"", "found the string \"0.1\" (write numbers without quotes)"),
            ("two", "found the string \"two\""),
            ("", "found nothing"),
            ("{ from: 1 }", "missing field `to` in `nudge`"),
            ("{}", "found an empty mapping"),
            ("{ one_of: [1], from: 1 }", "cannot be combined"),
        ] {
            let (message, line, column) = refused(&BASE.replace("nudge: 0.1", &format!("nudge: {literal}")));
            assert!(message.contains(expected), "{literal}: {message}");
            assert_eq!((line, column), (8, if literal.is_empty() { 1 } else { 8 }), "{literal}");
        }
    }

    #[test]
    fn a_config_serializes_as_written_with_exact_numbers() {
        let text = BASE
            .replace("input: 2", "input: { from: 1, to: 3 }")
            .replace("nudge: 0.1", "nudge: { one_of: [0.1, 0.25] }");
        let (raw, _) = read_text(&format!("{text}require: [error > 1]\n")).unwrap();
        let json = serde_json::to_string(&raw).unwrap();
        assert!(json.contains(r#""input":{"from":1.0,"to":3.0}"#), "{json}");
        assert!(json.contains(r#""nudge":{"one_of":[0.1,0.25]}"#), "{json}");
        assert!(json.contains(r#""require":["error > 1"]"#), "{json}");
        assert!(!json.contains("rules") && !json.contains("credit"), "defaults left out: {json}");
    }
}
