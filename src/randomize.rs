//! Drawing the numbers of randomized configs, reproducibly.
//!
//! Variant `k` of seed `s` is drawn from ChaCha20 keyed by `s` on stream `k`
//! (a roster student's stream is derived from the name), and every value is
//! chosen with a rejection-sampled uniform index computed here, not by a
//! library distribution whose algorithm may change between versions. So the
//! same seed gives the same numbers on every machine and in every future
//! version of this tool.
//!
//! A draw is kept only if the worksheet solves, meets the built-in rules and
//! every `require:` constraint; otherwise the same stream draws again. Only a
//! kept draw has its model answers worded (by the answers template), unless a
//! constraint reads a model answer.

use std::collections::{BTreeMap, HashMap, HashSet};

use minijinja::{Environment, UndefinedBehavior};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::answers::{Answers, Blank, Draft, Solved, Value, Wording};
use crate::config::{Field, WorksheetSpec};
use crate::error::{Error, Place, Result};
use crate::model::Worksheet;
use crate::number::Exact;

/// Draws tried per variant before giving up.
pub const MAX_TRIES: u32 = 2_000;

/// Most variants one run may generate.
pub const MAX_VARIANTS: u64 = 10_000;

/// Where a variant's numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// The `k`-th variant (1-based) of a batch.
    Index(u64),
    /// A roster student, by name.
    Student(String),
}

impl Stream {
    /// The ChaCha stream number.
    pub fn number(&self) -> u64 {
        match self {
            Stream::Index(k) => *k,
            Stream::Student(name) => {
                let digest = Sha256::digest(name.trim().as_bytes());
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(&digest[..8]);
                // Keep clear of the small numbers used by indexed variants.
                u64::from_le_bytes(bytes) | (1 << 63)
            }
        }
    }
}

/// The generator of one variant: ChaCha20 with the batch seed as key.
pub fn generator(seed: u64, stream: &Stream) -> ChaCha20Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..24].copy_from_slice(b"backprop-wksheet");
    let mut rng = ChaCha20Rng::from_seed(key);
    rng.set_stream(stream.number());
    rng
}

/// A uniform index in `0..n` (`n > 0`), by rejection, so it is exactly uniform
/// and depends only on the generator's raw output.
pub fn index(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    debug_assert!(n > 0);
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// Compiled `require:` constraints.
pub struct Constraints {
    env: Environment<'static>,
    items: Vec<(String, Place)>,
    /// The names the constraints read: `error`, `nudge_w2.plus.change`.
    reads: Vec<String>,
    /// The names each constraint reads, in the order of `items`.
    item_reads: Vec<Vec<String>>,
}

impl Constraints {
    /// Compiles the constraints of `spec`, reporting every syntax error at
    /// its line, with what to write when the mistake is a common one.
    pub fn new(spec: &WorksheetSpec) -> Result<Constraints> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let mut items = Vec::new();
        let mut reads = Vec::new();
        let mut item_reads = Vec::new();
        let mut problems = Vec::new();
        for requirement in &spec.require {
            match env.compile_expression(&requirement.expression) {
                Ok(expression) => {
                    let mut names: Vec<String> = expression.undeclared_variables(true).into_iter().collect();
                    names.sort();
                    reads.extend(names.iter().cloned());
                    item_reads.push(names);
                }
                Err(e) => {
                    let expression = &requirement.expression;
                    let message = match constraint_hint(expression) {
                        Some(hint) => format!("cannot read the constraint `{expression}`: {hint}"),
                        None => format!(
                            "cannot read the constraint `{expression}`: {} (write a comparison of answer ids and \
                             numbers, such as `error >= 2` or `grad_w1 | abs > grad_w2 | abs`)",
                            e.detail().unwrap_or("syntax error")
                        ),
                    };
                    problems.push(Error::from(requirement.at.error(message)));
                }
            }
            items.push((requirement.expression.clone(), requirement.at.clone()));
        }
        if !problems.is_empty() {
            return Err(Error::all(problems));
        }
        Ok(Constraints { env, items, reads, item_reads })
    }

    /// Whether a constraint reads one of the blanks `ids` (or an object holding one).
    pub fn read_any(&self, mut ids: impl Iterator<Item = Blank>) -> bool {
        ids.any(|id| {
            let id = id.to_string();
            self.reads
                .iter()
                .any(|name| id == *name || id.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with('.')))
        })
    }

    /// The constraints, as written.
    pub fn expressions(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(e, _)| e.as_str())
    }

    /// Whether `answers` meet each constraint, in order.
    pub fn evaluate(&self, answers: &Answers) -> Result<Vec<bool>> {
        let context = minijinja::Value::from(minijinja::value::Serde(nested(answers)));
        self.items
            .iter()
            .map(|(expression, at)| {
                let compiled = self.env.compile_expression(expression).expect("compiled in new()");
                compiled.eval(&context).map(|v| v.is_true()).map_err(|e| {
                    let unknown = unknown_names(&compiled, &context, answers);
                    let message = match unknown.first() {
                        Some((name, closest)) => format!(
                            "the constraint `{expression}` uses `{name}`, which is not an answer id{}",
                            closest.as_ref().map_or(String::new(), |c| format!("; did you mean `{c}`?"))
                        ),
                        None => format!(
                            "cannot evaluate the constraint `{expression}`: {} (the names are the answer ids of \
                             `answers --format json`, such as error, grad_w1, nudge_w2.plus.change)",
                            e.detail().unwrap_or("error")
                        ),
                    };
                    Error::from(at.error(message))
                })
            })
            .collect()
    }
}

/// What to write instead, for a constraint that cannot be read because of
/// a common slip: an operator written backwards (`=>`, `=<`) or as one
/// character (`≥`, `≤`, `≠`), `=` for a comparison, or a decimal comma.
fn constraint_hint(expression: &str) -> Option<String> {
    for (written, meant) in [("=>", ">="), ("=<", "<="), ("≥", ">="), ("≤", "<="), ("≠", "!="), ("<>", "!=")] {
        if expression.contains(written) {
            let fixed = expression.replace(written, meant);
            return Some(format!("`{written}` is not an operator here; write `{meant}`: `{fixed}`"));
        }
    }
    let chars: Vec<char> = expression.chars().collect();
    let comma = (1..chars.len().saturating_sub(1))
        .find(|&i| chars[i] == ',' && chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit());
    if let Some(i) = comma {
        let start = chars[..i].iter().rposition(|c| !c.is_ascii_digit() && *c != '.').map_or(0, |p| p + 1);
        let end = chars[i + 1..].iter().position(|c| !c.is_ascii_digit()).map_or(chars.len(), |p| i + 1 + p);
        let written: String = chars[start..end].iter().collect();
        let dotted = written.replace(',', ".");
        return Some(format!(
            "`{written}` is not a number; write it with a dot: `{}`",
            expression.replacen(&written, &dotted, 1)
        ));
    }
    let single = (0..chars.len()).find(|&i| {
        chars[i] == '='
            && !matches!(chars.get(i.wrapping_sub(1)), Some('=' | '!' | '<' | '>'))
            && chars.get(i + 1) != Some(&'=')
    });
    single.map(|_| format!("a comparison for \"equals\" is `==`: `{}`", expression.replacen('=', "==", 1)))
}

/// The names `expression` uses that are not answer ids, each with the
/// closest answer id (by edit distance), if one is close.
fn unknown_names(
    expression: &minijinja::Expression<'_, '_>,
    context: &minijinja::Value,
    answers: &Answers,
) -> Vec<(String, Option<String>)> {
    let mut names: Vec<String> = expression.undeclared_variables(true).into_iter().collect();
    names.sort();
    names
        .into_iter()
        .filter(|name| {
            let mut value = context.clone();
            let known = name.split('.').all(|part| match value.get_attr(part) {
                Ok(inner) if !inner.is_undefined() => {
                    value = inner;
                    true
                }
                _ => false,
            });
            !known
        })
        .map(|name| {
            let closest = answers
                .iter()
                .map(|a| (strsim::levenshtein(&a.id.to_string(), &name), a.id.to_string()))
                .min_by_key(|(distance, _)| *distance)
                .filter(|(distance, _)| *distance <= name.chars().count().div_ceil(2))
                .map(|(_, id)| id);
            (name, closest)
        })
        .collect()
}

/// Answers as nested objects (`nudge_w2.plus.change` → `nudge_w2` → `plus` → `change`),
/// numbers as numbers, for constraint expressions.
fn nested(answers: &Answers) -> serde_json::Value {
    let mut root = serde_json::Map::new();
    for a in answers.iter() {
        let value = match &a.value {
            Value::Exact(x) if x.is_integer() && x.integer_digits() < 16 => {
                serde_json::Value::from(x.to_plain_string().parse::<i64>().unwrap_or_default())
            }
            Value::Exact(x) => serde_json::Value::from(x.to_f64()),
            Value::Approx(_, v) => serde_json::Value::from(*v),
            Value::Count(n) => serde_json::Value::from(*n),
            Value::Flag(b) => serde_json::Value::from(*b),
            Value::Text(t) => serde_json::Value::from(t.clone()),
        };
        // Constraints name a blank by its public id, a dotted path.
        let id = a.id.to_string();
        let mut parts: Vec<&str> = id.split('.').collect();
        let last = parts.pop().expect("non-empty id");
        let mut map = &mut root;
        for part in parts {
            let entry = map.entry(part.to_owned()).or_insert_with(|| serde_json::Value::Object(Default::default()));
            map = entry.as_object_mut().expect("ids do not nest under values");
        }
        map.insert(last.to_owned(), value);
    }
    serde_json::Value::Object(root)
}

/// `part` as a whole percentage of `whole`, for reports, never rounded to
/// a claim it is not: "100%" only when `part` is all of `whole` and "0%"
/// only when it is none (199 of 200 is "99%", 1 of 300 is "1%").
pub fn share(part: u64, whole: u64) -> String {
    let rounded = (part * 200 + whole.max(1)) / (2 * whole.max(1));
    let shown = match part {
        0 => 0,
        _ if part >= whole => 100,
        _ => rounded.clamp(1, 99),
    };
    format!("{shown}%")
}

/// A config field as a teacher names it: a layer's field by the layer's
/// number counted from 1 ("the weight of layer 2" for
/// `network.layers[1].weight`), any other field by its name in the config.
fn as_counted(path: &str) -> String {
    let layer = path.strip_prefix("network.layers[").and_then(|rest| {
        let (index, field) = rest.split_once("].")?;
        Some((index.parse::<u64>().ok()? + 1, field))
    });
    match layer {
        Some((number, field)) => format!("the {field} of layer {number}"),
        None => format!("`{path}`"),
    }
}

/// How unlikely a shortfall of some value of a field must be under even
/// draws to be warned of as skew: once in a hundred batches.
#[allow(clippy::disallowed_types)] // a probability for a warning, not an answer
const SKEW_CHANCE: f64 = 0.01;

/// The chance that `trials` even draws, each holding a value with
/// probability `part / whole`, hold it `at_most` times or fewer (the
/// binomial distribution's tail), for the skew warning.
#[allow(clippy::disallowed_types)] // a probability for a warning, not an answer
fn chance_of_at_most(at_most: u64, trials: u64, part: u64, whole: u64) -> f64 {
    let p = part as f64 / whole.max(1) as f64;
    if p >= 1.0 {
        return if at_most >= trials { 1.0 } else { 0.0 };
    }
    // Each term from the one before: C(n, k+1) p^(k+1) q^(n-k-1)
    // = C(n, k) p^k q^(n-k) · (n - k)/(k + 1) · p/q, in logarithms so that
    // q^n does not vanish for thousands of draws.
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let mut ln_term = trials as f64 * ln_q;
    let mut total = 0.0;
    for k in 0..=at_most.min(trials) {
        total += ln_term.exp();
        ln_term += ((trials - k) as f64).ln() - ((k + 1) as f64).ln() + ln_p - ln_q;
    }
    total.min(1.0)
}

/// A built-in rule (see `rules:` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// No gradient is zero.
    NonzeroGradients,
    /// No answer has more decimal places than `rules.max_decimals`.
    MaxDecimals,
}

impl Rule {
    /// Both rules, in the order they are judged.
    pub const ALL: [Rule; 2] = [Rule::NonzeroGradients, Rule::MaxDecimals];

    /// The rule's name in `rules:`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::NonzeroGradients => "nonzero_gradients",
            Rule::MaxDecimals => "max_decimals",
        }
    }
}

/// Why a draw was drawn again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The worksheet cannot be solved (its starting error is zero).
    Unsolvable,
    /// The same numbers as an earlier variant of the batch.
    Repeat,
    /// A built-in rule failed.
    Rule(Rule),
    /// The `require:` constraint of this index failed.
    Require(usize),
}

/// How the draws with one value of a field fared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spread {
    /// Draws with the value (not counting repeats of an earlier variant).
    pub drawn: u64,
    /// Of them, the draws that were kept.
    pub accepted: u64,
    /// Of them, the draws drawn again, by reason.
    pub rejected: HashMap<Reason, u64>,
}

/// What the draws of a config met: how often each rule and constraint held,
/// why draws were drawn again, and how each value of each range fared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Draws made.
    pub draws: u64,
    /// Draws whose worksheet could be solved.
    pub solvable: u64,
    /// Draws kept.
    pub accepted: u64,
    /// For each constraint, the solvable draws that met it.
    pub held: Vec<u64>,
    /// For each rule of [`Rule::ALL`], the solvable draws that met it.
    pub rules_held: [u64; 2],
    /// Rejections per reason.
    pub rejected: HashMap<Reason, u64>,
    /// The most decimal places of an answer, per solvable draw: how many
    /// draws needed each count.
    pub decimals: BTreeMap<u64, u64>,
    /// For each field drawn from a range or choice (by path), how the draws
    /// of each of its values (by index) fared.
    pub spread: HashMap<String, HashMap<u64, Spread>>,
    /// The smallest and largest value each answer a constraint reads took
    /// in the solvable draws.
    pub read_ranges: BTreeMap<String, (Exact, Exact)>,
    /// Why the first unsolvable draw could not be solved.
    pub unsolvable: Option<String>,
}

impl Tally {
    /// Adds the draws of `other`.
    fn merge(&mut self, other: &Tally) {
        self.draws += other.draws;
        self.solvable += other.solvable;
        self.accepted += other.accepted;
        self.held.resize(self.held.len().max(other.held.len()), 0);
        for (mine, theirs) in self.held.iter_mut().zip(&other.held) {
            *mine += theirs;
        }
        for (mine, theirs) in self.rules_held.iter_mut().zip(other.rules_held) {
            *mine += theirs;
        }
        for (reason, n) in &other.rejected {
            *self.rejected.entry(*reason).or_default() += n;
        }
        for (places, n) in &other.decimals {
            *self.decimals.entry(*places).or_default() += n;
        }
        for (path, values) in &other.spread {
            let mine = self.spread.entry(path.clone()).or_default();
            for (index, spread) in values {
                let entry = mine.entry(*index).or_default();
                *entry = sum([&*entry, spread].into_iter());
            }
        }
        for (name, (lo, hi)) in &other.read_ranges {
            let range = self.read_ranges.entry(name.clone()).or_insert_with(|| (lo.clone(), hi.clone()));
            if *lo < range.0 {
                range.0 = lo.clone();
            }
            if *hi > range.1 {
                range.1 = hi.clone();
            }
        }
        if self.unsolvable.is_none() {
            self.unsolvable.clone_from(&other.unsolvable);
        }
    }

    /// Notes how a draw with the values `picks` (field path, value index) ended.
    fn note(&mut self, picks: &[(String, u64)], outcome: Option<Reason>) {
        match outcome {
            None => self.accepted += 1,
            Some(reason) => *self.rejected.entry(reason).or_default() += 1,
        }
        if outcome == Some(Reason::Repeat) {
            return;
        }
        for (path, index) in picks {
            let spread = self.spread.entry(path.clone()).or_default().entry(*index).or_default();
            spread.drawn += 1;
            match outcome {
                None => spread.accepted += 1,
                Some(reason) => *spread.rejected.entry(reason).or_default() += 1,
            }
        }
    }

    /// The reason most draws were drawn again, with how many.
    fn dominant(&self) -> Option<(Reason, u64)> {
        let mut reasons: Vec<(Reason, u64)> = self.rejected.iter().map(|(r, n)| (*r, *n)).collect();
        reasons.sort_by_key(|(reason, n)| (std::cmp::Reverse(*n), *reason));
        reasons.first().copied()
    }

    /// The smallest `max_decimals` (at most 12) that a fifth of the solvable
    /// draws meet, if one does.
    fn decimals_that_fit(&self) -> Option<u64> {
        let mut met = 0;
        for (places, count) in &self.decimals {
            met += count;
            if *places > 12 {
                return None;
            }
            if met * 5 >= self.solvable {
                return Some(*places);
            }
        }
        None
    }
}

/// The drawing machinery of one config.
pub struct Sampler<'a> {
    spec: &'a WorksheetSpec,
    constraints: Constraints,
    seed: u64,
    words: &'a dyn Wording,
}

/// One drawn variant.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Where its numbers came from.
    pub stream: Stream,
    /// Its worksheet and answers.
    pub solved: Solved,
}

/// Variants drawn together, each as its caller keeps it, with what their
/// draws met.
#[derive(Debug)]
pub struct Drawn<T> {
    /// What was kept of each variant, in order.
    pub variants: Vec<T>,
    /// Every draw made for them.
    pub tally: Tally,
}

impl<'a> Sampler<'a> {
    /// A sampler for `spec` with batch `seed`, wording the model answers with `words`.
    pub fn new(spec: &'a WorksheetSpec, seed: u64, words: &'a dyn Wording) -> Result<Sampler<'a>> {
        Ok(Sampler { spec, constraints: Constraints::new(spec)?, seed, words })
    }

    /// `worksheet` solved, its model answers worded only if a constraint reads
    /// one (wording every rejected draw would slow sampling down by half).
    fn draft(&self, worksheet: Worksheet) -> Result<std::result::Result<Draft, String>> {
        let mut draft = match Draft::new(worksheet) {
            Ok(draft) => draft,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if self.constraints.read_any(draft.unworded()) {
            draft.word(self.words)?;
        }
        Ok(Ok(draft))
    }

    /// One draw from `rng`: the worksheet, and the index of each value drawn
    /// from a range or choice, by field path.
    fn pick(&self, rng: &mut ChaCha20Rng) -> (Worksheet, Vec<(String, u64)>) {
        let mut picks = Vec::new();
        let worksheet = self.spec.resolve(|field: &Field| {
            let index = index(rng, field.spec.count());
            if field.spec.fixed().is_none() {
                picks.push((field.path.clone(), index));
            }
            field.spec.value(index)
        });
        (worksheet, picks)
    }

    /// Judges a solvable `draft`: notes in `tally` which rules and
    /// constraints it meets, and returns why it must be drawn again, if it must.
    fn judge(&self, draft: &Draft, tally: &mut Tally) -> Result<Option<Reason>> {
        tally.solvable += 1;
        let held = self.constraints.evaluate(draft.answers())?;
        tally.held.resize(held.len(), 0);
        for (count, ok) in tally.held.iter_mut().zip(&held) {
            *count += u64::from(*ok);
        }
        for name in &self.constraints.reads {
            // Constraints name blanks by their public ids.
            if let Some(Value::Exact(x)) = draft.answers().named(name).map(|a| &a.value) {
                let range = tally.read_ranges.entry(name.clone()).or_insert_with(|| (x.clone(), x.clone()));
                if *x < range.0 {
                    range.0 = x.clone();
                }
                if *x > range.1 {
                    range.1 = x.clone();
                }
            }
        }
        let places = draft
            .answers()
            .iter()
            .filter_map(|a| match &a.value {
                Value::Exact(x) => Some(x.decimal_places()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        *tally.decimals.entry(places).or_default() += 1;
        let rules = &self.spec.rules;
        let broken = |rule: Rule| match rule {
            Rule::NonzeroGradients => {
                rules.nonzero_gradients && draft.solution.gradients.iter().any(|g| g.value.is_zero())
            }
            Rule::MaxDecimals => rules.max_decimals.is_some_and(|most| places > most),
        };
        let mut first_broken = None;
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            if broken(rule) {
                first_broken.get_or_insert(rule);
            } else {
                tally.rules_held[i] += 1;
            }
        }
        if let Some(rule) = first_broken {
            return Ok(Some(Reason::Rule(rule)));
        }
        Ok(held.iter().position(|ok| !ok).map(Reason::Require))
    }

    /// Draws from `stream` until a draw is acceptable and not in `taken`,
    /// noting every draw in `all`.
    pub fn draw(&self, stream: Stream, taken: &HashSet<String>, all: &mut Tally) -> Result<Variant> {
        let mut tally = Tally::default();
        let drawn = self.draw_noting(stream, taken, &mut tally);
        all.merge(&tally);
        match drawn? {
            Some(variant) => Ok(variant),
            None if tally.rejected.contains_key(&Reason::Repeat) => Err(self.all_taken(&tally, taken.len())),
            None => Err(self.exhausted(&tally, &format!("no acceptable numbers found in {} draws", tally.draws))),
        }
    }

    /// [`Sampler::draw`] noting its draws in `tally`; `None` if no draw was acceptable.
    fn draw_noting(&self, stream: Stream, taken: &HashSet<String>, tally: &mut Tally) -> Result<Option<Variant>> {
        let mut rng = generator(self.seed, &stream);
        // The rules and constraints judge draws: a config without ranges
        // gives its one sheet, whatever they say.
        let judged = self.spec.is_randomized();
        for _ in 0..MAX_TRIES {
            tally.draws += 1;
            let (worksheet, picks) = self.pick(&mut rng);
            if taken.contains(&fingerprint(&worksheet)) {
                tally.note(&picks, Some(Reason::Repeat));
                continue;
            }
            let draft = match self.draft(worksheet)? {
                Ok(draft) => draft,
                Err(problem) => {
                    tally.unsolvable.get_or_insert(problem);
                    tally.note(&picks, Some(Reason::Unsolvable));
                    continue;
                }
            };
            let verdict = if judged { self.judge(&draft, tally)? } else { None };
            tally.note(&picks, verdict);
            if verdict.is_none() {
                return Ok(Some(Variant { stream, solved: draft.finish(self.words)? }));
            }
        }
        Ok(None)
    }

    /// The problem of a variant whose every acceptable draw repeated one of
    /// the `taken` earlier variants.
    fn all_taken(&self, tally: &Tally, taken: usize) -> Error {
        let mut reasons: Vec<(Reason, u64)> =
            tally.rejected.iter().filter(|(r, _)| **r != Reason::Repeat).map(|(r, n)| (*r, *n)).collect();
        reasons.sort_by_key(|(reason, n)| (std::cmp::Reverse(*n), *reason));
        let most = reasons.first().map_or(String::new(), |(reason, n)| {
            format!(" ({} of the draws were rejected by {})", share(*n, tally.draws), self.describe(*reason))
        });
        Error::msg(format!(
            "{}: no new acceptable numbers found in {} draws for variant {}: the {} before it took every acceptable \
             worksheet the draws found{most}. Ask for fewer variants, widen the ranges, or relax what rejects them.",
            self.spec.file,
            tally.draws,
            taken + 1,
            plural(taken as u64, "variant")
        ))
    }

    /// Why no draw was acceptable, `opening` the message ("no acceptable
    /// numbers found in 2000 draws"): every constraint that held in no
    /// draw, each at its line; else the rule or constraint that rejected
    /// most draws, with the YAML that relaxes it.
    pub fn exhausted(&self, tally: &Tally, opening: &str) -> Error {
        let never: Vec<Error> = self
            .constraints
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| tally.solvable > 0 && tally.held.get(*i) == Some(&0))
            .map(|(i, (expression, at))| {
                let values = self.read_values(i, tally);
                Error::from(at.error(format!(
                    "{opening}: the constraint `{expression}` held in none of the {} that could be solved. Look at \
                     the constraint itself first: can it be true for this network (its signs, its comparisons, its \
                     answer ids)?{values} If it can, widen the ranges.",
                    plural(tally.solvable, "draw")
                )))
            })
            .collect();
        if !never.is_empty() {
            return Error::all(never);
        }
        let file = &self.spec.file;
        match tally.dominant() {
            Some((Reason::Rule(rule), rejected)) => self.rule_exhausted(rule, rejected, tally, opening),
            Some((Reason::Require(i), _)) => {
                let (expression, at) = &self.constraints.items[i];
                at.error(format!(
                    "{opening}; most were rejected by the constraint `{expression}` (it held in {} of the {} \
                     that could be solved). Widen the ranges or relax the constraint.",
                    share(tally.held.get(i).copied().unwrap_or(0), tally.solvable),
                    plural(tally.solvable, "draw")
                ))
                .into()
            }
            Some((Reason::Unsolvable, _)) => Error::msg(format!(
                "{file}: {opening}: none could be solved ({}). Widen the ranges of the target and the weights.",
                tally.unsolvable.as_deref().unwrap_or("the starting error is 0")
            )),
            Some((Reason::Repeat, _)) | None => Error::msg(format!("{file}: {opening}")),
        }
    }

    /// " In those draws, grad_w1 was from −96 to −6 and …" for the answers
    /// constraint `i` reads.
    fn read_values(&self, i: usize, tally: &Tally) -> String {
        let ranges: Vec<String> = self.constraints.item_reads[i]
            .iter()
            .filter_map(|name| {
                let (lo, hi) = tally.read_ranges.get(name)?;
                // A message of the command line: its numbers in English.
                let english = crate::number::NumberFormat::english();
                let (lo, hi) = (english.write(&lo.legible()), english.write(&hi.legible()));
                Some(match lo == hi {
                    true => format!("{name} was always {lo}"),
                    false => format!("{name} was from {lo} to {hi}"),
                })
            })
            .collect();
        match ranges.as_slice() {
            [] => String::new(),
            [one] => format!(" In those draws, {one}."),
            [rest @ .., last] => format!(" In those draws, {} and {last}.", rest.join(", ")),
        }
    }

    /// The problem of a built-in `rule` that rejected `rejected` draws,
    /// placed at its line in `rules:` if it is written there, with the YAML
    /// that relaxes it.
    fn rule_exhausted(&self, rule: Rule, rejected: u64, tally: &Tally, opening: &str) -> Error {
        let rules = &self.spec.rules;
        let (what, relaxed) = match rule {
            Rule::NonzeroGradients => ("no gradient is 0".to_owned(), "nonzero_gradients: false".to_owned()),
            Rule::MaxDecimals => (
                format!("no answer has more than {} decimal places", rules.max_decimals.unwrap_or_default()),
                match tally.decimals_that_fit() {
                    Some(places) => format!("max_decimals: {places}"),
                    None => "max_decimals: false".to_owned(),
                },
            ),
        };
        let name = rule.name();
        let share = share(rejected, tally.draws);
        let fewer = match rule {
            Rule::MaxDecimals => "give numbers with fewer decimal places",
            Rule::NonzeroGradients => "widen the ranges",
        };
        let written = self.spec.written(&format!("rules.{name}"));
        let (origin, to_do, place) = match (written, self.spec.written("rules")) {
            (Some(at), _) => {
                (format!("the rule `{name}` here"), format!("Change it to `{relaxed}`, or {fewer}."), Some(at))
            }
            (None, Some(at)) => (
                format!("the built-in rule `{name}`"),
                format!("Add `{relaxed}` under `rules:` here, or {fewer}."),
                Some(at),
            ),
            (None, None) => (
                format!("the built-in rule `{name}`"),
                format!("To relax it, add to the config:\n\n    rules:\n      {relaxed}\n\nor {fewer}."),
                None,
            ),
        };
        let message = format!("{opening}: {origin} ({what}) rejected {share} of them. {to_do}");
        match place {
            Some(at) => at.error(message).into(),
            None => Error::msg(format!("{}: {message}", self.spec.file)),
        }
    }

    /// Variants `1..=count` of the batch, pairwise distinct, each handed to
    /// `keep` with its 0-based index as it is drawn; what `keep` returns is
    /// what the batch holds of it (a large batch keeps less than every answer).
    pub fn batch<T>(&self, count: u64, mut keep: impl FnMut(usize, Variant) -> Result<T>) -> Result<Drawn<T>> {
        check_count(self.spec, count)?;
        let mut taken = HashSet::new();
        let mut tally = Tally::default();
        let mut variants = Vec::with_capacity(count as usize);
        for k in 1..=count {
            let variant = self.draw(Stream::Index(k), &taken, &mut tally)?;
            taken.insert(fingerprint(&variant.solved.worksheet));
            variants.push(keep(variants.len(), variant)?);
        }
        Ok(Drawn { variants, tally })
    }

    /// One variant per roster name (each already normalized, see
    /// `roster::normalize`), handed to `keep` as in [`Sampler::batch`]; each
    /// depends only on the seed and the name. Students may share numbers (a
    /// fixed config gives everyone the same sheet), so the count is not held
    /// against the ranges.
    pub fn roster<T>(&self, names: &[String], mut keep: impl FnMut(usize, Variant) -> Result<T>) -> Result<Drawn<T>> {
        check_bounds(names.len() as u64)?;
        let mut tally = Tally::default();
        let variants = names
            .iter()
            .enumerate()
            .map(|(i, name)| keep(i, self.draw(Stream::Student(name.clone()), &HashSet::new(), &mut tally)?))
            .collect::<Result<_>>()?;
        Ok(Drawn { variants, tally })
    }

    /// The values of ranges and choices that the kept draws of `tally` hold
    /// far less often than an even share (under a third of it), with the
    /// rule or constraint that rejects them, as warnings; `kept` names the
    /// kept draws ("sheets", "acceptable draws").
    pub fn skews(&self, tally: &Tally, kept: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        for field in self.spec.fields().into_iter().filter(|f| f.spec.fixed().is_none()) {
            let Some(values) = tally.spread.get(&field.path) else { continue };
            let n = field.spec.count();
            // Each value of a short list; a long range in four runs of values.
            let units: Vec<(u64, u64)> = match n <= 12 {
                true => (0..n).map(|i| (i, i)).collect(),
                false => (0..4).map(|k| (k * n / 4, (k + 1) * n / 4 - 1)).collect(),
            };
            let total: Spread = sum(values.values());
            #[allow(clippy::disallowed_types)] // for a probability
            let units_count = units.len() as f64;
            for (first, last) in units {
                let unit = sum(values.iter().filter(|(i, _)| (first..=last).contains(*i)).map(|(_, s)| s));
                // Draws are uniform: an even share of the kept draws is
                // total.accepted × size / n. A value under a third of it is
                // skewed when even draws would leave some value of the field
                // that short in fewer than one batch in a hundred (each of
                // its units within a hundredth shared among them): in a batch
                // of 30, a choice of two on 4 sheets or fewer, of five on none.
                let size = last - first + 1;
                let expected_times_n = total.accepted * size;
                let chance = chance_of_at_most(unit.accepted, total.accepted, size, n);
                if unit.accepted * 3 * n >= expected_times_n || chance * units_count >= SKEW_CHANCE {
                    continue;
                }
                let value = match first == last {
                    true => field.spec.value(first).to_display_string(),
                    false => format!(
                        "from {} to {}",
                        field.spec.value(first).to_display_string(),
                        field.spec.value(last).to_display_string()
                    ),
                };
                let mut reasons: Vec<(&Reason, &u64)> = unit.rejected.iter().collect();
                reasons.sort_by_key(|(reason, n)| (std::cmp::Reverse(**n), **reason));
                let by = reasons.first().map_or(String::new(), |(reason, _)| {
                    format!(": most draws with it were rejected by {}", self.describe(**reason))
                });
                let location = &field.at.location;
                warnings.push(format!(
                    "{}:{}: {} is {value} on {} of {} {kept} ({}; an even share is {}){by}",
                    location.file,
                    location.line,
                    as_counted(&field.path),
                    unit.accepted,
                    total.accepted,
                    share(unit.accepted, total.accepted),
                    share(size, n),
                ));
            }
        }
        warnings
    }

    /// A reason in words: "the constraint `y < target` (line 14)".
    fn describe(&self, reason: Reason) -> String {
        match reason {
            Reason::Unsolvable => "a starting error of 0".to_owned(),
            Reason::Repeat => "repeating an earlier variant".to_owned(),
            Reason::Rule(Rule::NonzeroGradients) => "the built-in rule nonzero_gradients (no gradient is 0)".to_owned(),
            Reason::Rule(Rule::MaxDecimals) => format!(
                "the built-in rule max_decimals (no answer with more than {} decimal places; `rules: {{ \
                 max_decimals: false }}` turns it off)",
                self.spec.rules.max_decimals.unwrap_or_default()
            ),
            Reason::Require(i) => {
                let (expression, at) = &self.constraints.items[i];
                format!("the constraint `{expression}` (line {})", at.location.line)
            }
        }
    }

    /// Draws `samples` independent variants (none drawn again) and notes
    /// what they met, for `check`.
    pub fn stress(&self, samples: u64) -> Result<Stress> {
        let fields = self.spec.fields();
        let mut stress = Stress {
            tally: Tally::default(),
            ranges: fields.iter().map(|f| (f.path.clone(), None)).collect(),
            flat_extension: 0,
        };
        stress.tally.held = vec![0; self.constraints.items.len()];
        for k in 1..=samples {
            let mut rng = generator(self.seed, &Stream::Index(k));
            let (worksheet, picks) = self.pick(&mut rng);
            stress.tally.draws += 1;
            let draft = match self.draft(worksheet)? {
                Ok(draft) => draft,
                Err(problem) => {
                    stress.tally.unsolvable.get_or_insert(problem);
                    stress.tally.note(&picks, Some(Reason::Unsolvable));
                    continue;
                }
            };
            let verdict = self.judge(&draft, &mut stress.tally)?;
            stress.tally.note(&picks, verdict);
            if verdict.is_none() {
                stress.flat_extension += u64::from(draft.solution.extension.as_ref().is_some_and(|e| e.is_flat()));
                let values = self.spec.fields_of(&draft.worksheet);
                for ((_, range), value) in stress.ranges.iter_mut().zip(values) {
                    *range = Some(match range.take() {
                        None => (value.clone(), value),
                        Some((lo, hi)) => (lo.min(value.clone()), hi.max(value)),
                    });
                }
            }
        }
        Ok(stress)
    }

    /// The constraints, as written, with how many solvable draws of `tally` met each.
    pub fn held<'t>(&'t self, tally: &'t Tally) -> impl Iterator<Item = (&'t str, u64)> {
        self.constraints.expressions().zip(tally.held.iter().copied().chain(std::iter::repeat(0)))
    }
}

/// The sum of some spreads (their rejections merged).
fn sum<'s>(spreads: impl Iterator<Item = &'s Spread>) -> Spread {
    spreads.fold(Spread::default(), |mut total, s| {
        total.drawn += s.drawn;
        total.accepted += s.accepted;
        for (reason, n) in &s.rejected {
            *total.rejected.entry(*reason).or_default() += n;
        }
        total
    })
}

/// "1 draw", "2 draws".
pub fn plural(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// What [`Sampler::stress`] found.
#[derive(Debug, Clone)]
pub struct Stress {
    /// What the draws met.
    pub tally: Tally,
    /// For each numeric field, the smallest and largest value among accepted draws.
    pub ranges: Vec<(String, Option<(crate::number::Exact, crate::number::Exact)>)>,
    /// Accepted draws whose extension activation is flat at z (a dead ReLU,
    /// a saturated sigmoid or tanh).
    pub flat_extension: u64,
}

fn check_bounds(count: u64) -> Result<()> {
    if count == 0 || count > MAX_VARIANTS {
        return Err(Error::msg(format!("the number of variants must be between 1 and {MAX_VARIANTS}, not {count}")));
    }
    Ok(())
}

fn check_count(spec: &WorksheetSpec, count: u64) -> Result<()> {
    check_bounds(count)?;
    let possible = spec.combinations();
    if possible == 1 && count > 1 {
        return Err(Error::msg(format!(
            "{} has no ranges or choices, so it makes 1 worksheet, not {count} different ones: leave out \
             --variants, or give some of its numbers a range (see the README)",
            spec.file
        )));
    }
    if count > possible {
        return Err(Error::msg(format!(
            "{}: asked for {count} different variants, but its ranges allow only {possible} different worksheets",
            spec.file
        )));
    }
    Ok(())
}

fn fingerprint(worksheet: &Worksheet) -> String {
    let n = &worksheet.network;
    let mut s = format!("{}|{}|{}|{}", n.input, n.target, worksheet.nudge, worksheet.learning_rate);
    for l in &n.layers {
        s.push_str(&format!("|{},{}", l.coefficient, l.weight));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_types)] // probabilities
    fn skew_is_what_even_draws_would_rarely_give() {
        // Two values, 30 sheets: 4 or fewer of one happens about once in 30,000 batches.
        let four = chance_of_at_most(4, 30, 1, 2);
        assert!((four - 0.0000297).abs() < 0.000001, "{four}");
        assert!(chance_of_at_most(6, 30, 1, 2) > 0.0001 && chance_of_at_most(6, 30, 1, 2) < 0.001);
        // Five values, 30 sheets: none of one, about once in 800.
        assert!((chance_of_at_most(0, 30, 1, 5) - 0.8f64.powi(30)).abs() < 1e-12);
        // Ten values: a value on no sheet is common (4%), no skew.
        assert!(chance_of_at_most(0, 30, 1, 10) > SKEW_CHANCE);
        assert!((chance_of_at_most(30, 30, 1, 2) - 1.0).abs() < 1e-9);
        // Thousands of draws do not vanish to 0 at every count.
        assert!(chance_of_at_most(1000, 2000, 1, 2) > 0.4);
    }

    #[test]
    fn layers_are_counted_as_a_teacher_counts_them() {
        assert_eq!(as_counted("network.layers[1].weight"), "the weight of layer 2");
        assert_eq!(as_counted("network.layers[0].coefficient"), "the coefficient of layer 1");
        assert_eq!(as_counted("learning_rate"), "`learning_rate`");
    }

    #[test]
    fn a_share_is_never_rounded_to_all_or_none() {
        assert_eq!(share(1999, 2000), "99%");
        assert_eq!(share(1, 2000), "1%");
        assert_eq!(share(2000, 2000), "100%");
        assert_eq!(share(0, 2000), "0%");
        assert_eq!(share(1, 3), "33%");
        assert_eq!(share(2, 3), "67%");
        assert_eq!(share(0, 0), "0%");
    }

    #[test]
    fn the_generator_is_pinned() {
        // If this changes, every teacher's seeds give different worksheets.
        let mut rng = generator(7, &Stream::Index(1));
        let draws: Vec<u64> = (0..5).map(|_| index(&mut rng, 10)).collect();
        let mut again = generator(7, &Stream::Index(1));
        let repeat: Vec<u64> = (0..5).map(|_| index(&mut again, 10)).collect();
        assert_eq!(draws, repeat);
        let mut other = generator(7, &Stream::Index(2));
        let different: Vec<u64> = (0..5).map(|_| index(&mut other, 10)).collect();
        assert_ne!(draws, different);
        let raw = generator(7, &Stream::Index(1)).next_u64();
        assert_eq!(raw, PINNED_FIRST_WORD, "ChaCha20 output for seed 7, stream 1 changed");
    }

    const PINNED_FIRST_WORD: u64 = 16_123_512_571_929_410_723;

    #[test]
    fn student_streams_depend_only_on_the_name() {
        assert_eq!(Stream::Student("Ada".into()).number(), Stream::Student(" Ada ".into()).number());
        assert_ne!(Stream::Student("Ada".into()).number(), Stream::Student("Alan".into()).number());
    }
}
