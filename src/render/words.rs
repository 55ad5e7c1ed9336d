//! The words of the model answers: [`Templates`] words a [`Phrase`] by calling
//! the macro of the same name in the answers template (`answers.txt.j2`) of
//! the sheet's language, with the phrase's facts as keyword arguments.
//!
//! The answers template renders plain text (no Typst escaping): the worksheet
//! escapes a model answer when it prints it.

use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error as JError, ErrorKind, State};

use super::{template_error_in, TemplateSet, Templates, ANSWERS_TEMPLATE};
use crate::answers::{Phrase, Wording};
use crate::error::Result;
use crate::number::NumberFormat;

impl Wording for Templates {
    fn numbers(&self, language: &str) -> NumberFormat {
        Templates::numbers(self, language)
    }

    fn phrase_all(&self, language: &str, phrases: &[Phrase]) -> Result<Vec<String>> {
        self.set(language).phrase_all(phrases)
    }
}

impl TemplateSet {
    /// The texts of `phrases`, worded by this set's answers template.
    pub(super) fn phrase_all(&self, phrases: &[Phrase]) -> Result<Vec<String>> {
        word_in(&self.env, phrases).map_err(|e| template_error_in(&self.sources, &e, ANSWERS_TEMPLATE))
    }
}

/// Words `phrases` with the answers template of `env`, evaluated once.
pub(super) fn word_in(env: &Environment, phrases: &[Phrase]) -> Result<Vec<String>, JError> {
    let mut captured = env.get_template(ANSWERS_TEMPLATE)?.render_captured(())?;
    captured.with_state_mut(|state| phrases.iter().map(|phrase| call(state, phrase)).collect())
}
/// Calls the macro of `phrase` in `state` with the facts it declares.
fn call(state: &mut State, phrase: &Phrase) -> Result<String, JError> {
    let name = phrase.name();
    let function = state.lookup(name).ok_or_else(|| {
        JError::new(
            ErrorKind::UnknownFunction,
            format!("{ANSWERS_TEMPLATE} defines no macro `{name}`, which words the model answer `{name}`"),
        )
    })?;
    // Externally tagged: `{"discussion": {"y": …, …}}`.
    let facts = JValue::from(minijinja::value::Serde(phrase)).get_attr(name)?;
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
