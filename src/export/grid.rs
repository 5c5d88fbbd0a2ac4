//! `grid.csv` of a two-way sweep ([`GridResult`]): one row per cell.

use crate::experiment::grid::GridResult;

/// `grid.csv`: one row per cell.
pub fn csv(g: &GridResult) -> String {
    use super::csv::field;
    let unit = if g.per_year() {
        format!("{} per year", g.currency)
    } else {
        String::new()
    };
    let mut out = String::from(
        "parameter_a,value_a,applied_a,parameter_b,value_b,applied_b,strategy,metric,unit,replications,mean,ci95_low,ci95_high,best\n",
    );
    for (k, c) in g.cells.iter().enumerate() {
        let cells = [
            field(&g.a.path),
            c.a.to_string(),
            field(&c.a_text),
            field(&g.b.path),
            c.b.to_string(),
            field(&c.b_text),
            field(&g.strategy),
            g.metric.name().to_string(),
            field(&unit),
            g.replications.to_string(),
            c.mean.to_string(),
            (c.mean - c.half_width).to_string(),
            (c.mean + c.half_width).to_string(),
            (k == g.best).to_string(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
