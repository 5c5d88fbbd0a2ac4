//! Statistics over replications: means, t-based confidence intervals, type-7 quantiles and
//! paired differences (docs/model.md §2 rule 12). Every function folds its input in the order given,
//! so results do not depend on thread scheduling.

use serde::{Deserialize, Serialize};

/// Mean, 95 % CI and quantiles of one metric across replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Replications where the metric is defined.
    pub n: u64,
    pub mean: f64,
    /// Sample standard deviation (0 when n < 2).
    pub sd: f64,
    /// mean ± t(0.975, n−1)·sd/√n (the mean itself when n < 2).
    pub ci95: [f64; 2],
    pub p50: f64,
    pub p95: f64,
}

impl Summary {
    /// Half-width of the 95 % confidence interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95[1] - self.ci95[0]) / 2.0
    }

    /// Summarize the values, skipping undefined ones. None when no value is defined.
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> Option<Summary> {
        let mut xs: Vec<f64> = values.into_iter().flatten().collect();
        if xs.is_empty() {
            return None;
        }
        let n = xs.len();
        let (mean, sd) = mean_sd(&xs);
        let half = if n >= 2 {
            t_quantile_975(n as f64 - 1.0) * sd / (n as f64).sqrt()
        } else {
            0.0
        };
        xs.sort_by(|a, b| a.total_cmp(b));
        Some(Summary {
            n: n as u64,
            mean,
            sd,
            ci95: [mean - half, mean + half],
            p50: quantile_sorted(&xs, 0.5),
            p95: quantile_sorted(&xs, 0.95),
        })
    }
}

/// Mean and sample standard deviation (two-pass, in order).
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, (ss / (n as f64 - 1.0)).sqrt())
}

/// Quantile of sorted data by linear interpolation (Hyndman–Fan type 7, numpy's default).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n as f64 - 1.0) * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Quantile of unsorted data (type 7).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut xs = values.to_vec();
    xs.sort_by(|a, b| a.total_cmp(b));
    quantile_sorted(&xs, p)
}

/// Type-7 (linear interpolation) quantile, as `stats::quantile`, but by selection rather than a
/// full sort: the values are reordered in place. NaN for an empty slice.
pub fn quantile_select(values: &mut [f64], p: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n as f64 - 1.0) * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let (_, &mut at_lo, upper) = values.select_nth_unstable_by(lo, |a, b| a.total_cmp(b));
    if lo + 1 >= n {
        return at_lo;
    }
    let at_hi = upper
        .iter()
        .copied()
        .min_by(|a, b| a.total_cmp(b))
        .unwrap_or(at_lo);
    at_lo + (h - lo as f64) * (at_hi - at_lo)
}

/// Paired comparison of a candidate against a baseline over the same replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Replications where both are defined.
    pub n: u64,
    /// Mean of candidate − baseline.
    pub mean_diff: f64,
    pub sd_diff: f64,
    pub ci95: [f64; 2],
    /// Share of replications in which the candidate is strictly better; None for a metric
    /// with no better direction.
    pub p_candidate_better: Option<f64>,
}

/// Which way a metric is better, for the paired "share better".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Less is better (time down, cost).
    LowerIsBetter,
    /// More is better (availability, outages averted).
    HigherIsBetter,
    /// Neither: a count of activity whose price other metrics carry.
    Neutral,
}

impl Direction {
    /// True for [`Direction::HigherIsBetter`].
    pub fn higher_is_better(self) -> bool {
        self == Direction::HigherIsBetter
    }
}

impl Paired {
    /// Compare per-replication pairs `(baseline, candidate)`; `direction` says what "better"
    /// means. None when no pair is defined on both sides.
    pub fn of(
        pairs: impl IntoIterator<Item = (Option<f64>, Option<f64>)>,
        direction: Direction,
    ) -> Option<Paired> {
        let mut diffs = Vec::new();
        let mut better = 0u64;
        for (b, c) in pairs {
            if let (Some(b), Some(c)) = (b, c) {
                diffs.push(c - b);
                let candidate_better = match direction {
                    Direction::LowerIsBetter => c < b,
                    Direction::HigherIsBetter => c > b,
                    Direction::Neutral => false,
                };
                if candidate_better {
                    better += 1;
                }
            }
        }
        if diffs.is_empty() {
            return None;
        }
        let n = diffs.len();
        let (mean, sd) = mean_sd(&diffs);
        let half = if n >= 2 {
            t_quantile_975(n as f64 - 1.0) * sd / (n as f64).sqrt()
        } else {
            0.0
        };
        Some(Paired {
            n: n as u64,
            mean_diff: mean,
            sd_diff: sd,
            ci95: [mean - half, mean + half],
            p_candidate_better: (direction != Direction::Neutral).then(|| better as f64 / n as f64),
        })
    }
}

impl Paired {
    /// Two-sided confidence interval of the mean difference at `level` (e.g. 0.95), paired t.
    /// The mean itself when n < 2.
    pub fn ci(&self, level: f64) -> [f64; 2] {
        if self.n < 2 {
            return [self.mean_diff, self.mean_diff];
        }
        let q = t_quantile(0.5 + level / 2.0, self.n as f64 - 1.0);
        let half = q * self.sd_diff / (self.n as f64).sqrt();
        [self.mean_diff - half, self.mean_diff + half]
    }

    /// Two-sided p-value of the paired t-test of "no mean difference". 1 when n < 2 or the
    /// differences do not vary and average 0; 0 when they do not vary and average non-zero.
    pub fn p_value(&self) -> f64 {
        paired_t_p_value(self.n, self.mean_diff, self.sd_diff)
    }
}

/// Two-sided p-value of the paired t-test of "no mean difference" from the differences'
/// count, mean and sample standard deviation ([`Paired::p_value`] without the interval,
/// whose t quantile costs a bisection: the all-pairs family of many strategies needs only
/// this).
pub fn paired_t_p_value(n: u64, mean_diff: f64, sd_diff: f64) -> f64 {
    if n < 2 {
        return 1.0;
    }
    if sd_diff == 0.0 {
        return if mean_diff == 0.0 { 1.0 } else { 0.0 };
    }
    let t = mean_diff.abs() / (sd_diff / (n as f64).sqrt());
    (2.0 * (1.0 - t_cdf(t, n as f64 - 1.0))).clamp(0.0, 1.0)
}

/// Holm's step-down adjustment of p-values (Holm 1979): sort ascending, multiply the k-th
/// smallest (k from 0) by m − k, carry the running maximum so adjusted values keep the order,
/// cap at 1. Returned in the input's order. Controls the family-wise error rate under any
/// dependence between the tests (the pairs share replications, so they are dependent).
pub fn holm_adjust(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (k, &i) in order.iter().enumerate() {
        running = running.max((p_values[i] * (m - k) as f64).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Holm-adjusted p-values of some tests of a family, given the p-values of the whole family:
/// for each `chosen` p-value (each one of `family`'s), the value [`holm_adjust`] gives it, bit
/// for bit. Holds the m p-values and nothing more (no m indices, no m results), so a summary
/// can list a few of a large family's pairs adjusted over all of them.
///
/// Why the sorted values suffice: among tied p-values `holm_adjust` orders by index, and the
/// later of two ties multiplies by less, so every tie takes the running maximum reached at the
/// first of them — the value at the first sorted position holding that p-value.
pub fn holm_adjust_chosen(mut family: Vec<f64>, chosen: &[f64]) -> Vec<f64> {
    let m = family.len();
    family.sort_unstable_by(f64::total_cmp);
    let first_of = |p: &f64| family.partition_point(|x| x.total_cmp(p).is_lt());
    let positions: Vec<usize> = chosen.iter().map(first_of).collect();
    let mut running = 0.0f64;
    for (k, p) in family.iter_mut().enumerate() {
        running = running.max((*p * (m - k) as f64).min(1.0));
        *p = running;
    }
    // A p-value not in the family (a caller's error) reads as the largest adjustment.
    positions
        .into_iter()
        .map(|k| family.get(k).or(family.last()).copied().unwrap_or(1.0))
        .collect()
}

/// The confidence level each of `m` intervals needs so that all hold together with
/// probability ≥ `level` (Bonferroni): 1 − (1 − level)/m. Never below `level`.
pub fn bonferroni_level(level: f64, m: usize) -> f64 {
    1.0 - (1.0 - level) / m.max(1) as f64
}

/// t(0.975, df): the two-sided 95 % quantile of Student's t distribution.
pub fn t_quantile_975(df: f64) -> f64 {
    t_quantile(0.975, df)
}

/// Quantile of Student's t with `df` degrees of freedom, for p in (0.5, 1), by bisection on
/// the exact CDF (regularized incomplete beta). Accurate to ~1e-12.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_infinite() || df > 1e7 {
        return normal_quantile(p);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
        if hi > 1e12 {
            break;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// CDF of Student's t at x ≥ 0.
pub fn t_cdf(x: f64, df: f64) -> f64 {
    let ib = incomplete_beta(df / 2.0, 0.5, df / (df + x * x));
    if x >= 0.0 { 1.0 - 0.5 * ib } else { 0.5 * ib }
}

pub use crate::special::{normal_cdf, normal_quantile};

/// Regularized incomplete beta I_x(a, b) (continued fraction, Lentz's method).
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front =
        crate::special::ln_gamma(a + b) - crate::special::ln_gamma(a) - crate::special::ln_gamma(b)
            + a * x.ln()
            + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Values from standard t tables.
        for (df, expected) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (9.0, 2.262_157_163),
            (29.0, 2.045_229_642),
            (999.0, 1.962_341_461),
        ] {
            let q = t_quantile_975(df);
            assert!((q - expected).abs() < 1e-6, "df {df}: {q} vs {expected}");
        }
    }

    #[test]
    fn quantiles_are_numpy_type_7() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&xs, 0.5), 2.5);
        assert!((quantile(&xs, 0.95) - 3.85).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.95), 7.0);
    }

    #[test]
    fn summary_skips_undefined_values() {
        let s = Summary::of([Some(1.0), None, Some(3.0)]).unwrap();
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 2.0);
        assert!(Summary::of([None, None]).is_none());
    }

    #[test]
    fn paired_difference_counts_strict_improvements() {
        let p = Paired::of(
            [
                (Some(10.0), Some(8.0)),
                (Some(5.0), Some(5.0)),
                (Some(3.0), Some(4.0)),
            ],
            Direction::LowerIsBetter,
        )
        .unwrap();
        assert_eq!(p.n, 3);
        assert!((p.mean_diff - (-1.0 / 3.0)).abs() < 1e-12);
        assert!((p.p_candidate_better.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn share_better_follows_the_direction_and_neutral_has_none() {
        // Candidate higher in 2 of 3 pairs, equal in none: 2/3 better when more is better,
        // 1/3 when less is better, and no share at all for a neutral count.
        let pairs = [
            (Some(0.0), Some(3.0)),
            (Some(1.0), Some(2.0)),
            (Some(4.0), Some(1.0)),
        ];
        let share = |d| Paired::of(pairs, d).unwrap().p_candidate_better;
        assert!((share(Direction::HigherIsBetter).unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((share(Direction::LowerIsBetter).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(share(Direction::Neutral), None);
        // The difference itself does not depend on the direction.
        let d = |dir| Paired::of(pairs, dir).unwrap().mean_diff;
        assert_eq!(d(Direction::Neutral), d(Direction::HigherIsBetter));
    }

    #[test]
    fn holm_multiplies_the_kth_smallest_by_m_minus_k_and_keeps_the_order() {
        // m = 3, sorted 0.01, 0.03, 0.04: 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04, raised
        // to the running maximum 0.06. Returned in the input's order.
        let adj = holm_adjust(&[0.04, 0.01, 0.03]);
        assert!((adj[1] - 0.03).abs() < 1e-15);
        assert!((adj[2] - 0.06).abs() < 1e-15);
        assert!((adj[0] - 0.06).abs() < 1e-15);
        assert_eq!(holm_adjust(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert!(holm_adjust(&[]).is_empty());
    }

    #[test]
    fn holm_of_chosen_tests_equals_holm_of_the_whole_family_bit_for_bit() {
        // Ties (0.02 three times, 1.0 twice), values capped at 1, a zero, a NaN (sorted last
        // by total order): every member's adjustment from the sorted family is holm_adjust's.
        let family = [
            0.02,
            0.5,
            0.0,
            0.02,
            1.0,
            0.3,
            0.02,
            f64::NAN,
            0.001,
            1.0,
            0.04,
        ];
        let whole = holm_adjust(&family);
        let some = holm_adjust_chosen(family.to_vec(), &family);
        for (a, b) in whole.iter().zip(&some) {
            assert_eq!(a.to_bits(), b.to_bits(), "{whole:?} {some:?}");
        }
        // Pseudo-random families of many sizes, each member chosen.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for m in 1..60 {
            let family: Vec<f64> = (0..m)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Few distinct values, so ties are common.
                    (x % 17) as f64 / 16.0 * 0.2
                })
                .collect();
            let whole = holm_adjust(&family);
            let some = holm_adjust_chosen(family.clone(), &family);
            assert_eq!(whole, some, "m = {m}");
        }
        assert!(holm_adjust_chosen(Vec::new(), &[]).is_empty());
    }

    #[test]
    fn paired_p_value_matches_the_t_distribution() {
        // Differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 3.4641, df 2;
        // two-sided p = 1 − 3.4641/√(3.4641² + 2) = 0.07418 (t with 2 df has a closed form).
        let p = Paired::of(
            [
                (Some(0.0), Some(1.0)),
                (Some(0.0), Some(2.0)),
                (Some(0.0), Some(3.0)),
            ],
            Direction::LowerIsBetter,
        )
        .unwrap();
        let t: f64 = 2.0 * 3f64.sqrt();
        let exact = 1.0 - t / (t * t + 2.0).sqrt();
        assert!((p.p_value() - exact).abs() < 1e-9, "{}", p.p_value());
        // The 95 % interval is the stored one; a wider level gives a wider interval.
        let c95 = p.ci(0.95);
        assert!((c95[0] - p.ci95[0]).abs() < 1e-9 && (c95[1] - p.ci95[1]).abs() < 1e-9);
        let c99 = p.ci(bonferroni_level(0.95, 5));
        assert!(c99[0] < c95[0] && c99[1] > c95[1]);
    }
}
