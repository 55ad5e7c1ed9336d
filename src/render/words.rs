//! The words of the model answers: [`Templates`] words a [`Phrase`] by calling
//! the macro of the same name in the answers template (`answers.txt.j2`) of
//! the sheet's language, with the phrase's facts as keyword arguments.
//!
//! The answers template renders plain text (no Typst escaping): the worksheet
//! escapes a model answer when it prints it.

use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error as JError, ErrorKind, State};
use serde::Serialize;

use super::{template_error_in, TemplateSet, Templates, ANSWERS_TEMPLATE};
use crate::answers::{Phrase, Wording};
use crate::error::Result;
use crate::number::NumberFormat;

impl Wording for Templates {
    fn numbers(&self, language: &str) -> NumberFormat {
        Templates::numbers(self, language)
    }

    fn phrase_all(&self, language: &str, phrases: &[Phrase]) -> Result<Vec<String>> {
        self.words(language, ANSWERS_TEMPLATE, phrases)
    }
}

impl Templates {
    /// The words of `items` from the plain-text template `template` of the
    /// set for `language`, evaluated once: each item serializes as
    /// `{"name": {facts}}` (or as `"name"`, without facts), and is worded by
    /// the template's macro of that name, called with the facts as keyword
    /// arguments.
    pub fn words<T: Serialize>(&self, language: &str, template: &str, items: &[T]) -> Result<Vec<String>> {
        self.set(language).words(template, items)
    }
}

impl TemplateSet {
    /// [`Templates::words`] in this set.
    fn words<T: Serialize>(&self, template: &str, items: &[T]) -> Result<Vec<String>> {
        word_in(&self.env, template, items).map_err(|e| template_error_in(&self.sources, &e, template))
    }
}

/// Words `items` with the template `template` of `env`, evaluated once.
pub(super) fn word_in<T: Serialize>(env: &Environment, template: &str, items: &[T]) -> Result<Vec<String>, JError> {
    let mut captured = env.get_template(template)?.render_captured(())?;
    captured.with_state_mut(|state| items.iter().map(|item| call(state, template, item)).collect())
}

/// Calls the macro of `item` in `state` with the facts it declares.
fn call<T: Serialize>(state: &mut State, template: &str, item: &T) -> Result<String, JError> {
    let value = JValue::from(minijinja::value::Serde(item));
    // Externally tagged: `{"discussion": {"y": …, …}}`, or `"right"` without facts.
    let (name, facts) = match value.as_str() {
        Some(name) => (name.to_owned(), None),
        None => {
            let name = value.try_iter()?.next().and_then(|key| key.as_str().map(str::to_owned)).unwrap_or_default();
            let facts = value.get_attr(&name)?;
            (name, Some(facts))
        }
    };
    let function = state.lookup(&name).ok_or_else(|| {
        JError::new(
            ErrorKind::UnknownFunction,
            format!("{template} defines no macro `{name}`, which words the `{name}` text"),
        )
    })?;
    let Some(facts) = facts else {
        return Ok(function.call(state, &[])?.to_string());
    };
    // A macro declares the facts it uses; the others are left out, so a
    // template written for fewer facts keeps working.
    let declared: Option<Vec<String>> = function
        .get_attr("arguments")
        .ok()
        .filter(|v| !v.is_undefined())
        .and_then(|v| v.try_iter().ok())
        .map(|names| names.filter_map(|n| n.as_str().map(str::to_owned)).collect());
    let mut kwargs = Vec::new();
    for key in facts.try_iter()? {
        let Some(key) = key.as_str() else { continue };
        if declared.as_ref().is_none_or(|d| d.iter().any(|n| n == key)) {
            kwargs.push((key.to_owned(), facts.get_attr(key)?));
        }
    }
    let text = function.call(state, &[JValue::from(kwargs.into_iter().collect::<Kwargs>())])?;
    Ok(text.to_string())
}
