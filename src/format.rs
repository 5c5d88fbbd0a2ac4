//! Number formatting shared by the human-readable outputs (terminal, Markdown, HTML) and the
//! charts: a leaf module, so that exporters and charts format the same figure the same way
//! without naming each other.

/// The symbol placed before amounts of a currency (the ISO code and a space if unknown).
pub fn currency_symbol(code: &str) -> String {
    match code {
        "USD" | "CAD" | "AUD" | "NZD" | "SGD" | "HKD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        "JPY" | "CNY" => "¥".to_string(),
        "INR" => "₹".to_string(),
        "CHF" => "CHF ".to_string(),
        other => format!("{other} "),
    }
}

/// An integer with thousands separators: 1234567 → "1,234,567".
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let neg = x < 0.0 && x.round() != 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

/// An amount of money in full: "$1,234,567" (negative as "-$1,234").
pub fn money(x: f64, currency: &str) -> String {
    let sym = currency_symbol(currency);
    if x < 0.0 && x.round() != 0.0 {
        format!("-{sym}{}", thousands(-x))
    } else {
        format!("{sym}{}", thousands(x.abs()))
    }
}

/// An amount of money, short: "$412k", "$1.25M", "$950".
pub fn money_short(x: f64, currency: &str) -> String {
    let sym = currency_symbol(currency);
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let body = if a >= 9.995e5 {
        format!("{}M", sig3(a / 1e6))
    } else if a >= 9_999.5 {
        format!("{:.0}k", a / 1e3)
    } else if a >= 999.5 {
        format!("{}k", sig3(a / 1e3))
    } else {
        format!("{a:.0}")
    };
    format!("{sign}{sym}{body}")
}

/// Three significant digits, trailing zeros dropped: 1.25, 12.5, 125.
fn sig3(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A plain number with sensible precision for a table: large values with separators, small
/// ones with up to 3 significant decimals.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let a = x.abs();
    if a >= 1000.0 {
        thousands(x)
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A number without needless digits: `0.85`, `60000`, `1.5`, `0.123457` (at most six
/// decimals; a non-finite number as Rust writes it).
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == x.round() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A relative change as a percentage, without needless digits: 0.2 → "20 %", 0.125 → "12.5 %".
pub fn change_label(by: f64) -> String {
    let s = format!("{:.2}", by * 100.0);
    format!("{} %", s.trim_end_matches('0').trim_end_matches('.'))
}

/// A share as a percentage: 0.973 → "97.3 %".
pub fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// A return on investment as a percentage with thousands separators: 15.183 → "1,518 %",
/// 0.425 → "42.5 %"; "–" without an incremental investment.
pub fn roi(roi: Option<f64>) -> String {
    match roi {
        None => "–".to_string(),
        Some(r) if (r * 100.0).abs() >= 1000.0 => format!("{} %", thousands(r * 100.0)),
        Some(r) => percent(r),
    }
}

/// A payback period: "0.7 months"; "none needed" without an incremental investment; "never"
/// when the savings do not cover the investment.
pub fn payback(months: Option<f64>, incremental_investment: f64) -> String {
    match months {
        Some(m) => format!("{m:.1} months"),
        None if incremental_investment <= 0.0 => "none needed".to_string(),
        None => "never".to_string(),
    }
}

/// A plain-text table: columns two spaces apart, a rule under the first (header) row,
/// right-aligned except the columns listed in `left` (names read best left-aligned).
pub fn aligned_table(rows: &[Vec<String>], left: &[usize]) -> String {
    let ncol = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..ncol)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.chars().count());
                if left.contains(&c) {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
            out.push_str(&"─".repeat(total));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_and_signed() {
        assert_eq!(money(1_234_567.4, "USD"), "$1,234,567");
        assert_eq!(money(-1234.0, "EUR"), "-€1,234");
        assert_eq!(money_short(412_345.0, "USD"), "$412k");
        assert_eq!(money_short(1_250_000.0, "USD"), "$1.25M");
        assert_eq!(money_short(-950.0, "SEK"), "-SEK 950");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
    }

    #[test]
    fn plain_numbers_and_changes_drop_needless_digits() {
        assert_eq!(format_number(60_000.0), "60000");
        assert_eq!(format_number(0.85), "0.85");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(f64::INFINITY), "inf");
        assert_eq!(change_label(0.2), "20 %");
        assert_eq!(change_label(0.125), "12.5 %");
        assert_eq!(change_label(0.1), "10 %");
    }

    #[test]
    fn roi_and_payback_read_as_a_person_would_say_them() {
        assert_eq!(roi(Some(15.183)), "1,518 %");
        assert_eq!(roi(Some(0.425)), "42.5 %");
        assert_eq!(roi(None), "–");
        assert_eq!(payback(Some(0.74), 60_000.0), "0.7 months");
        assert_eq!(payback(None, 0.0), "none needed");
        assert_eq!(payback(None, 60_000.0), "never");
    }
}
