//! Importing an organisation's real configuration into scenario fragments: `incsim import`.
//! Each importer reads another tool's export and prints TOML that appends to a scenario, one
//! `#` comment per mapped field saying where its value came from.

pub mod pagerduty;

use std::fmt;

/// An input file that could not be imported: the file, where in it (when known), the field,
/// what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line and column, when the reader knows them.
    pub at: Option<(usize, usize)>,
    /// The field's path in the file (`escalation_rules[0].escalation_delay_in_minutes`), or "".
    pub field: String,
    pub message: String,
    pub help: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.at {
            write!(f, ":{line}:{column}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)?;
        } else {
            write!(f, ": {}: {}", self.field, self.message)?;
        }
        write!(f, "\n  help: {}", self.help)
    }
}

impl std::error::Error for ImportError {}
