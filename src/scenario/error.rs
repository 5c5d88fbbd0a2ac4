//! Errors in scenario files, formatted like a compiler's:
//!
//! ```text
//! error: scenarios/x.toml:12:9: services.email.modes.memory-leak.needs: expected the name of a tier (help-desk, senior-network-engineer); found "senior-engineer"
//!   help: write one of the tier names defined under [[tiers]]
//! ```

use std::fmt;

/// One problem in a scenario file: where it is, which field, what was expected and found, and
/// how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it (or a display name such as `default`).
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column (in characters), where known.
    pub column: Option<usize>,
    /// Dotted path of the field, by name where names are known, e.g.
    /// `services.email.modes.memory-leak.needs`, else by index (`services[0].modes[1]`).
    /// Empty when the problem is not about one field (an unreadable file, a syntax error).
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
    /// The fix, when there is a useful one to suggest.
    pub help: Option<String>,
}

impl ScenarioError {
    /// An error about the file as a whole (unreadable, empty, …), with no position.
    pub fn file_level(file: &str, message: impl Into<String>, help: Option<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: None,
            column: None,
            field: String::new(),
            message: message.into(),
            help,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Every problem found in one scenario file, in file order where positions are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// The errors, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, ScenarioError> {
        self.0.iter()
    }

    /// How many errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is none (never the case for an `Err` returned by this module).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors(vec![e])
    }
}

impl<'a> IntoIterator for &'a ScenarioErrors {
    type Item = &'a ScenarioError;
    type IntoIter = std::slice::Iter<'a, ScenarioError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One error per paragraph, then a count when there are several.
impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() > 1 {
            write!(
                f,
                "\nerror: {} problems in {}",
                self.0.len(),
                self.0.first().map(|e| e.file.as_str()).unwrap_or("")
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ScenarioError {
        ScenarioError {
            file: "scenarios/x.toml".into(),
            line: Some(12),
            column: Some(9),
            field: "services.email.modes.memory-leak.needs".into(),
            message: r#"expected the name of a tier (help-desk); found "senior""#.into(),
            help: Some("write one of the tier names".into()),
        }
    }

    #[test]
    fn displays_like_a_compiler() {
        assert_eq!(
            sample().to_string(),
            "error: scenarios/x.toml:12:9: services.email.modes.memory-leak.needs: \
             expected the name of a tier (help-desk); found \"senior\"\n  help: write one of the tier names"
        );
    }

    #[test]
    fn omits_unknown_parts() {
        let e = ScenarioError::file_level("x.toml", "cannot read the file", None);
        assert_eq!(e.to_string(), "error: x.toml: cannot read the file");
    }

    #[test]
    fn lists_several_errors_and_counts_them() {
        let errors = ScenarioErrors(vec![sample(), sample()]);
        let text = errors.to_string();
        assert_eq!(text.matches("error: scenarios/x.toml:12:9").count(), 2);
        assert!(text.ends_with("error: 2 problems in scenarios/x.toml"));
        assert_eq!(
            ScenarioErrors::from(sample()).to_string(),
            sample().to_string()
        );
    }
}
