//! Uncertain inputs (issue 15 item 4): a numeric field written as a range of plausible values,
//! `downtime_cost_per_hour = { uncertain = "triangular", min = 8000, mode = 12000, max = 15000 }`.
//!
//! A plain run uses the input's *mode* (uniform: the midpoint; lognormal: the median
//! √(p10·p90)), so the scenario the parser returns is an ordinary scenario with those values;
//! the inputs themselves are kept in [`super::Scenario::uncertain`] for `run --uncertainty N`,
//! which draws parameter sets from them by their inverse distribution functions
//! ([`Uncertain::quantile`]) and writes each set into a copy of the scenario through the field
//! registry's setters ([`apply`]).

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, LogNormal};

use super::Scenario;
use super::fields::{self, Bounds, Idx, Kind, Value};

/// The standard normal quantile at 0.90: a lognormal given by its P10 and P90 has
/// σ = (ln p90 − ln p10) / (2 · z₀.₉₀).
const Z90: f64 = 1.281_551_565_544_600_5;

/// The kinds of uncertain value, as written in `uncertain = "…"`.
pub const KINDS: &str = "triangular, uniform, lognormal, pert";

/// How an uncertain input's plausible values are spread (in the field's unit: minutes for
/// durations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "uncertain", rename_all = "lowercase")]
pub enum Spread {
    /// Triangular on [min, max] with its peak at `mode`.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Every value in [min, max] equally plausible.
    Uniform { min: f64, max: f64 },
    /// Lognormal with the given 10th and 90th percentiles (both > 0).
    Lognormal { p10: f64, p90: f64 },
    /// PERT (beta-PERT) on [min, max] with mode `mode`: min + (max − min) · Beta(α, β),
    /// α = 1 + 4 (mode − min)/(max − min), β = 1 + 4 (max − mode)/(max − min) — the PERT
    /// distribution of Malcolm, Roseboom, Clark & Fazar (1959), in the λ = 4 form of Vose,
    /// *Risk Analysis* (3rd ed., 2008), §9.1.
    Pert { min: f64, mode: f64, max: f64 },
}

impl Spread {
    /// The value a plain run uses: the mode (uniform: the midpoint; lognormal: the median).
    pub fn mode(&self) -> f64 {
        match *self {
            Spread::Triangular { mode, .. } | Spread::Pert { mode, .. } => mode,
            Spread::Uniform { min, max } => min + (max - min) / 2.0,
            Spread::Lognormal { p10, p90 } => (p10 * p90).sqrt(),
        }
    }

    /// What a plain run uses, in words (`mode`, `midpoint`, `median`).
    pub fn mode_word(&self) -> &'static str {
        match self {
            Spread::Triangular { .. } | Spread::Pert { .. } => "mode",
            Spread::Uniform { .. } => "midpoint",
            Spread::Lognormal { .. } => "median",
        }
    }

    /// The inverse distribution function at `p` in (0, 1) (statrs for the lognormal and the
    /// beta of PERT; the triangular in closed form, as statrs writes it).
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
        match *self {
            Spread::Uniform { min, max } => min + p * (max - min),
            Spread::Triangular { min, mode, max } => {
                // statrs' Triangular::inverse_cdf, without its refusal of min == mode == max
                // (never reached: the parser requires min < max).
                if p < (mode - min) / (max - min) {
                    min + ((mode - min) * (max - min) * p).sqrt()
                } else {
                    max - ((max - min) * (max - mode) * (1.0 - p)).sqrt()
                }
            }
            Spread::Lognormal { p10, p90 } => {
                let mu = (p10.ln() + p90.ln()) / 2.0;
                let sigma = (p90.ln() - p10.ln()) / (2.0 * Z90);
                LogNormal::new(mu, sigma)
                    .map(|d| d.inverse_cdf(p))
                    .unwrap_or(p10)
            }
            Spread::Pert { min, mode, max } => {
                let range = max - min;
                let alpha = 1.0 + 4.0 * (mode - min) / range;
                let beta = 1.0 + 4.0 * (max - mode) / range;
                let x = Beta::new(alpha, beta).map_or(0.5, |d| d.inverse_cdf(p));
                min + range * x
            }
        }
    }

    /// The spread in words, `kind` deciding how numbers are shown: `triangular 8000 … 12000 …
    /// 15000`, `lognormal P10 30m, P90 4h`.
    pub fn describe(&self, kind: Kind) -> String {
        let v = |x: f64| fields::value_text(number_kind(kind), &Value::Number(x));
        match *self {
            Spread::Triangular { min, mode, max } => {
                format!(
                    "triangular (min {}, mode {}, max {})",
                    v(min),
                    v(mode),
                    v(max)
                )
            }
            Spread::Pert { min, mode, max } => {
                format!("PERT (min {}, mode {}, max {})", v(min), v(mode), v(max))
            }
            Spread::Uniform { min, max } => format!("uniform (min {}, max {})", v(min), v(max)),
            Spread::Lognormal { p10, p90 } => {
                format!("lognormal (P10 {}, P90 {})", v(p10), v(p90))
            }
        }
    }
}

/// How a number of a field of `kind` is shown: a distribution field's uncertain value is a
/// fixed duration.
fn number_kind(kind: Kind) -> Kind {
    if kind == Kind::Dist {
        Kind::Duration
    } else {
        kind
    }
}

/// One uncertain input of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncertain {
    /// The field's path by names (`services.email.downtime_cost_per_hour`).
    pub path: String,
    /// Its registry row's pattern (`services[].downtime_cost_per_hour`).
    pub pattern: String,
    /// The instance's indices, for the row's setter.
    pub idx: Idx,
    /// Its plausible values.
    pub spread: Spread,
}

impl Uncertain {
    /// The field's registry row.
    pub fn field(&self) -> &'static fields::Field {
        fields::field(&self.pattern)
    }

    /// The value of the input at probability `p` (its inverse distribution function), kept
    /// within the field's bounds and whole for counts and integers.
    pub fn quantile(&self, p: f64) -> f64 {
        let field = self.field();
        let x = self.spread.quantile(p);
        let x = match field.kind {
            Kind::Count | Kind::Integer => x.round(),
            _ => x,
        };
        clamp_to(field.bounds, x)
    }

    /// The value a plain run uses, as the parser wrote it into the scenario.
    pub fn mode(&self) -> f64 {
        let field = self.field();
        let x = self.spread.mode();
        let x = match field.kind {
            Kind::Count | Kind::Integer => x.round(),
            _ => x,
        };
        clamp_to(field.bounds, x)
    }

    /// A value of this input in words (`12000`, `45m`).
    pub fn show(&self, x: f64) -> String {
        fields::value_text(number_kind(self.field().kind), &Value::Number(x))
    }

    /// The spread in words.
    pub fn describe(&self) -> String {
        self.spread.describe(self.field().kind)
    }
}

/// Keep a sampled value inside its field's range: a lognormal's upper tail may pass a money
/// field's ceiling, a rounded count may fall below 1.
fn clamp_to(bounds: Bounds, x: f64) -> f64 {
    match bounds {
        Bounds::Probability => x.clamp(0.0, 1.0),
        Bounds::Money => x.clamp(0.0, fields::MAX_MONEY),
        Bounds::Integer { min, max } => x.clamp(min as f64, max as f64),
        Bounds::NonNegative | Bounds::Duration => x.max(0.0),
        Bounds::Positive | Bounds::PositiveMean => x.max(f64::MIN_POSITIVE),
        Bounds::Horizon => x.clamp(f64::MIN_POSITIVE, fields::MAX_HORIZON_MINUTES),
        Bounds::Unbounded => x,
    }
}

/// A copy of `base` with its uncertain inputs set to `values` (one per input, in order),
/// through the field registry's setters.
pub fn apply(base: &Scenario, values: &[f64]) -> Scenario {
    let mut s = base.clone();
    for (input, &x) in base.uncertain.iter().zip(values) {
        let set = input
            .field()
            .set
            .expect("the parser admits uncertain values only on fields with a setter");
        set(&mut s, input.idx, &Value::Number(x));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_run_value_is_the_mode_midpoint_or_median() {
        let t = Spread::Triangular {
            min: 8000.0,
            mode: 12000.0,
            max: 15000.0,
        };
        assert_eq!(t.mode(), 12000.0);
        assert_eq!(Spread::Uniform { min: 2.0, max: 4.0 }.mode(), 3.0);
        // √(10 · 1000) = 100.
        let l = Spread::Lognormal {
            p10: 10.0,
            p90: 1000.0,
        };
        assert!((l.mode() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn quantiles_match_the_closed_forms() {
        // Triangular (0, 5, 10): P(X ≤ 5) = 0.5; at p = 0.125 the left branch gives
        // 0 + √(5 · 10 · 0.125) = 2.5.
        let t = Spread::Triangular {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        };
        assert!((t.quantile(0.5) - 5.0).abs() < 1e-12);
        assert!((t.quantile(0.125) - 2.5).abs() < 1e-12);
        // Lognormal by p10/p90: its own P10 and P90 come back.
        let l = Spread::Lognormal {
            p10: 30.0,
            p90: 240.0,
        };
        assert!(
            (l.quantile(0.10) - 30.0).abs() < 1e-6,
            "{}",
            l.quantile(0.1)
        );
        assert!((l.quantile(0.90) - 240.0).abs() < 1e-6);
        // A symmetric PERT (mode at the centre) is Beta(3, 3): median at the centre.
        let p = Spread::Pert {
            min: 0.0,
            mode: 50.0,
            max: 100.0,
        };
        assert!((p.quantile(0.5) - 50.0).abs() < 1e-9);
        // Beta(1 + 4·0.25, 1 + 4·0.75) = Beta(2, 4): CDF at 0.25 is
        // 1 − Σ_{j<2} C(5,j) 0.25^j 0.75^(5−j) = 1 − 0.2373 − 0.3955 = 0.3672.
        let skew = Spread::Pert {
            min: 0.0,
            mode: 25.0,
            max: 100.0,
        };
        let p_at_25 = 1.0 - 0.75f64.powi(5) - 5.0 * 0.25 * 0.75f64.powi(4);
        assert!((skew.quantile(p_at_25) - 25.0).abs() < 1e-6);
        assert!((Spread::Uniform { min: 2.0, max: 4.0 }.quantile(0.25) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn quantiles_increase_with_p_and_stay_in_range() {
        for s in [
            Spread::Triangular {
                min: 1.0,
                mode: 1.0,
                max: 3.0,
            },
            Spread::Pert {
                min: 1.0,
                mode: 3.0,
                max: 3.0,
            },
            Spread::Uniform { min: 1.0, max: 3.0 },
        ] {
            let mut last = f64::NEG_INFINITY;
            for i in 1..100 {
                let x = s.quantile(i as f64 / 100.0);
                assert!(x >= last && (1.0..=3.0).contains(&x), "{s:?} at {i}: {x}");
                last = x;
            }
        }
    }
}
