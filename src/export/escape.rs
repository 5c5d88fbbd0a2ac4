//! Names come from scenario files (and from shards and logs): before they reach a spreadsheet,
//! a Markdown viewer or a terminal they are made inert there.

/// A CSV text cell that a spreadsheet will not run as a formula. OWASP's advice for CSV
/// injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (shown by Excel, LibreOffice and Google Sheets as text), and the cell is quoted
/// per RFC 4180 when it holds a comma, a quote or a line break. Only text cells (names, paths,
/// notes) pass here: numbers are written as numbers (a negative number stays `-2.5`), so
/// pandas and DuckDB still read the number columns as numbers.
pub fn csv_text(text: &str) -> String {
    let guarded = formula_guarded(text);
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded.into_owned()
    }
}

/// The OWASP formula guard alone (a leading `'` before `=`, `+`, `-`, `@`, tab or CR), for
/// cells that a CSV writer quotes itself.
pub fn formula_guarded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Text for a Markdown table cell or heading that renders as the same text: HTML and Markdown
/// specials escaped, line breaks and other control characters (which would end the table row)
/// turned into spaces.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Terminal text without control characters other than line breaks and tabs: an escape
/// sequence in a name (`\x1b]…`, `\x1b[2J`) is dropped rather than run by the terminal.
pub fn terminal_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_the_owasp_way() {
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_text("-2+3"), "'-2+3");
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("\rx"), "\"'\rx\"");
        assert_eq!(csv_text("reactive"), "reactive");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
    }

    #[test]
    fn markdown_cells_keep_their_text_and_their_row() {
        assert_eq!(markdown_text("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(markdown_text("a|b\nc"), "a\\|b c");
        assert_eq!(markdown_text("[x](http://y)"), "\\[x\\](http://y)");
        assert_eq!(markdown_text("help-desk"), "help-desk");
    }

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        assert_eq!(terminal_text("a\x1b[2Jb\x07\nc"), "a[2Jb\nc");
    }
}
