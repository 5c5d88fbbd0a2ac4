//! Maximum-likelihood fits of duration distributions to right-censored samples, the choice
//! among them by AIC, a goodness-of-fit distance, and 95 % parameter intervals.
//!
//! * **Likelihood with censoring**: an observed duration contributes its density ln f(x), a
//!   censored one (an incident still open when the export was taken) its survival ln S(c):
//!   all we know is that it lasted longer than c.
//! * **Optimisation**: Newton steps on the log-likelihood in a parameterisation where every
//!   parameter is free (logs of shapes and scales, the lognormal's μ as it is), with central
//!   finite-difference derivatives and a backtracking line search; data are first divided by
//!   their median so every problem is of order one.
//! * **Intervals**: Wald intervals from the observed information (the negative Hessian of the
//!   log-likelihood at the maximum), computed on that free scale and transformed back — so an
//!   interval for a shape or scale is positive and asymmetric.
//! * **Goodness of fit**: the Kolmogorov–Smirnov distance between the fitted CDF and the
//!   Kaplan–Meier estimate (the plain ECDF when nothing is censored).

use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_ur, ln_gamma};

use crate::scenario::dist::{Dist, Z_0_9};

/// z for a two-sided 95 % interval.
const Z_975: f64 = 1.959_963_984_540_054;

/// Fewest observed (uncensored) values a fit is attempted with.
pub const MIN_EVENTS: usize = 8;

/// The candidate families, in the order ties are broken (simplest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Exponential,
    Weibull,
    Gamma,
    Lognormal,
}

impl Family {
    /// Every candidate.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::Weibull,
        Family::Gamma,
        Family::Lognormal,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Weibull => "weibull",
            Family::Gamma => "gamma",
            Family::Lognormal => "lognormal",
        }
    }

    fn parameter_count(self) -> usize {
        if self == Family::Exponential { 1 } else { 2 }
    }
}

/// Durations in minutes: those observed to end, and those still running when observation
/// stopped (right-censored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub observed: Vec<f64>,
    pub censored: Vec<f64>,
}

/// One fitted parameter with its 95 % interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub value: f64,
    pub ci95: (f64, f64),
}

/// One family fitted to a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub family: Family,
    /// The family's parameters (durations in minutes), with intervals.
    pub params: Vec<Param>,
    /// The maximised log-likelihood (on the minutes scale).
    pub log_likelihood: f64,
    /// Akaike's criterion, 2k − 2 ln L: lower is better.
    pub aic: f64,
    /// Kolmogorov–Smirnov distance to the Kaplan–Meier estimate.
    pub ks: f64,
    /// The fitted distribution as the simulator samples it.
    pub dist: Dist,
}

impl Fit {
    /// The value of a parameter by name.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The fitted CDF at `x` minutes.
    pub fn cdf(&self, x: f64) -> f64 {
        cdf(&self.dist, x)
    }
}

/// The CDF of a fitted distribution (the four families) at `x` minutes.
pub fn cdf(dist: &Dist, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    match *dist {
        Dist::Exponential { mean } => 1.0 - (-x / mean).exp(),
        Dist::Weibull { shape, scale } => 1.0 - (-(x / scale).powf(shape)).exp(),
        Dist::Lognormal { mu, sigma } => 0.5 * erfc(-(x.ln() - mu) / (sigma * 2f64.sqrt())),
        Dist::Gamma { shape, scale } => 1.0 - checked_gamma_ur(shape, x / scale).unwrap_or(0.0),
        _ => f64::NAN,
    }
}

/// Every family fitted to `sample`, best (lowest AIC) first; empty when the sample has fewer
/// than [`MIN_EVENTS`] observed values, or a non-positive or non-finite value.
pub fn fit_all(sample: &Sample) -> Vec<Fit> {
    let mut fits: Vec<Fit> = Family::ALL
        .iter()
        .filter_map(|&f| fit_family(sample, f))
        .collect();
    // Stable: equal AICs keep the simpler family first.
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    fits
}

/// Fit one family by maximum likelihood; `None` when the sample cannot support it.
pub fn fit_family(sample: &Sample, family: Family) -> Option<Fit> {
    let valid = |x: &f64| x.is_finite() && *x > 0.0;
    if sample.observed.len() < MIN_EVENTS
        || !sample.observed.iter().all(valid)
        || !sample.censored.iter().all(valid)
    {
        return None;
    }
    // Work on values divided by their median: the optimisation is then scale-free.
    let mut all: Vec<f64> = sample
        .observed
        .iter()
        .chain(&sample.censored)
        .copied()
        .collect();
    all.sort_by(f64::total_cmp);
    let unit = all[all.len() / 2];
    let scaled = Sample {
        observed: sample.observed.iter().map(|x| x / unit).collect(),
        censored: sample.censored.iter().map(|x| x / unit).collect(),
    };
    let start = start_point(&scaled, family)?;
    let theta = maximise(&scaled, family, start)?;
    let hessian = hessian(&scaled, family, &theta);
    let covariance = invert_negative(&hessian, family.parameter_count())?;
    // Back to minutes: every scale parameter (and the lognormal's μ) moves by ln(unit).
    let shift = unit.ln();
    let mut t = theta;
    match family {
        Family::Exponential => t[0] += shift,
        Family::Weibull | Family::Gamma => t[1] += shift,
        Family::Lognormal => t[0] += shift,
    }
    let sd = |i: usize| covariance[i][i].sqrt();
    let wald = |i: usize| (t[i] - Z_975 * sd(i), t[i] + Z_975 * sd(i));
    let exp_param = |name, i: usize| {
        let (lo, hi) = wald(i);
        Param {
            name,
            value: t[i].exp(),
            ci95: (lo.exp(), hi.exp()),
        }
    };
    let (params, dist) = match family {
        Family::Exponential => (
            vec![exp_param("mean", 0)],
            Dist::Exponential { mean: t[0].exp() },
        ),
        Family::Weibull => (
            vec![exp_param("shape", 0), exp_param("scale", 1)],
            Dist::Weibull {
                shape: t[0].exp(),
                scale: t[1].exp(),
            },
        ),
        Family::Gamma => {
            // mean = k·θ: ln mean = t0 + t1, its variance c00 + c11 + 2 c01.
            let sd_mean = (covariance[0][0] + covariance[1][1] + 2.0 * covariance[0][1])
                .max(0.0)
                .sqrt();
            let ln_mean = t[0] + t[1];
            (
                vec![
                    exp_param("shape", 0),
                    exp_param("scale", 1),
                    Param {
                        name: "mean",
                        value: ln_mean.exp(),
                        ci95: (
                            (ln_mean - Z_975 * sd_mean).exp(),
                            (ln_mean + Z_975 * sd_mean).exp(),
                        ),
                    },
                ],
                Dist::Gamma {
                    shape: t[0].exp(),
                    scale: t[1].exp(),
                },
            )
        }
        Family::Lognormal => {
            let (lo, hi) = wald(0);
            (
                vec![
                    Param {
                        name: "mu",
                        value: t[0],
                        ci95: (lo, hi),
                    },
                    exp_param("sigma", 1),
                    Param {
                        name: "median",
                        value: t[0].exp(),
                        ci95: (lo.exp(), hi.exp()),
                    },
                ],
                Dist::Lognormal {
                    mu: t[0],
                    sigma: t[1].exp(),
                },
            )
        }
    };
    let log_likelihood = log_likelihood(sample, family, &t);
    if !log_likelihood.is_finite() || params.iter().any(|p| !p.value.is_finite()) {
        return None;
    }
    let k = family.parameter_count() as f64;
    let mut fit = Fit {
        family,
        params,
        log_likelihood,
        aic: 2.0 * k - 2.0 * log_likelihood,
        ks: 0.0,
        dist,
    };
    fit.ks = ks_distance(sample, |x| fit.cdf(x));
    Some(fit)
}

/// A starting point on the free scale, from moments of the observed values.
fn start_point(s: &Sample, family: Family) -> Option<Vec<f64>> {
    let n = s.observed.len() as f64;
    let logs: Vec<f64> = s.observed.iter().map(|x| x.ln()).collect();
    let mean_log = logs.iter().sum::<f64>() / n;
    let sd_log = (logs.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / n)
        .sqrt()
        .max(0.05);
    let mean = s.observed.iter().sum::<f64>() / n;
    let var =
        (s.observed.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).max(1e-6 * mean * mean);
    let start = match family {
        // The exponential's MLE is closed-form: total time over observed endings.
        Family::Exponential => {
            let total: f64 = s.observed.iter().chain(&s.censored).sum();
            vec![(total / n).ln()]
        }
        Family::Weibull => {
            // sd(ln X) = π/(k√6) for a Weibull; E ln X = ln λ − γ/k.
            let k = (std::f64::consts::PI / (sd_log * 6f64.sqrt())).clamp(0.05, 50.0);
            vec![k.ln(), mean_log + 0.577_215_664_9 / k]
        }
        Family::Gamma => {
            let k = (mean * mean / var).clamp(0.05, 500.0);
            vec![k.ln(), (mean / k).ln()]
        }
        Family::Lognormal => vec![mean_log, sd_log.ln()],
    };
    start.iter().all(|v| v.is_finite()).then_some(start)
}

/// The log-likelihood at free parameters `t` (see the module comment).
fn log_likelihood(s: &Sample, family: Family, t: &[f64]) -> f64 {
    let ll = match family {
        Family::Exponential => {
            let m = t[0].exp();
            s.observed.iter().map(|x| -t[0] - x / m).sum::<f64>()
                + s.censored.iter().map(|c| -c / m).sum::<f64>()
        }
        Family::Weibull => {
            let (k, ln_l) = (t[0].exp(), t[1]);
            s.observed
                .iter()
                .map(|x| {
                    let r = x.ln() - ln_l;
                    t[0] - ln_l + (k - 1.0) * r - (k * r).exp()
                })
                .sum::<f64>()
                + s.censored
                    .iter()
                    .map(|c| -(k * (c.ln() - ln_l)).exp())
                    .sum::<f64>()
        }
        Family::Gamma => {
            let (k, th) = (t[0].exp(), t[1].exp());
            let norm = -ln_gamma(k) - k * t[1];
            s.observed
                .iter()
                .map(|x| norm + (k - 1.0) * x.ln() - x / th)
                .sum::<f64>()
                + s.censored
                    .iter()
                    .map(|c| checked_gamma_ur(k, c / th).unwrap_or(0.0).max(1e-300).ln())
                    .sum::<f64>()
        }
        Family::Lognormal => {
            let (mu, sigma) = (t[0], t[1].exp());
            let half_ln_2pi = 0.918_938_533_204_672_8;
            s.observed
                .iter()
                .map(|x| {
                    let z = (x.ln() - mu) / sigma;
                    -x.ln() - t[1] - half_ln_2pi - 0.5 * z * z
                })
                .sum::<f64>()
                + s.censored
                    .iter()
                    .map(|c| ln_normal_survival((c.ln() - mu) / sigma))
                    .sum::<f64>()
        }
    };
    if ll.is_finite() {
        ll
    } else {
        f64::NEG_INFINITY
    }
}

/// ln(1 − Φ(z)), accurate in the far tail where 1 − Φ underflows.
fn ln_normal_survival(z: f64) -> f64 {
    if z < 30.0 {
        (0.5 * erfc(z / std::f64::consts::SQRT_2)).max(1e-300).ln()
    } else {
        -0.5 * z * z - (z * (2.0 * std::f64::consts::PI).sqrt()).ln()
    }
}

const STEP: f64 = 1e-4;

fn gradient(s: &Sample, f: Family, t: &[f64]) -> Vec<f64> {
    (0..t.len())
        .map(|i| {
            let mut up = t.to_vec();
            let mut down = t.to_vec();
            up[i] += STEP;
            down[i] -= STEP;
            (log_likelihood(s, f, &up) - log_likelihood(s, f, &down)) / (2.0 * STEP)
        })
        .collect()
}

fn hessian(s: &Sample, f: Family, t: &[f64]) -> Vec<Vec<f64>> {
    let h = 1e-3;
    let n = t.len();
    let at = |di: (usize, f64), dj: (usize, f64)| {
        let mut p = t.to_vec();
        p[di.0] += di.1;
        p[dj.0] += dj.1;
        log_likelihood(s, f, &p)
    };
    // Central second differences; the diagonal reuses the same formula with i = j.
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    (at((i, h), (j, h)) - at((i, h), (j, -h)) - at((i, -h), (j, h))
                        + at((i, -h), (j, -h)))
                        / (4.0 * h * h)
                })
                .collect()
        })
        .collect()
}

/// (−H)⁻¹ for a 1×1 or 2×2 Hessian, when −H is positive definite.
fn invert_negative(h: &[Vec<f64>], n: usize) -> Option<Vec<Vec<f64>>> {
    if n == 1 {
        let a = -h[0][0];
        return (a > 0.0 && a.is_finite()).then(|| vec![vec![1.0 / a]]);
    }
    let (a, b, c, d) = (-h[0][0], -h[0][1], -h[1][0], -h[1][1]);
    let det = a * d - b * c;
    if !(a > 0.0 && det > 0.0 && det.is_finite()) {
        return None;
    }
    Some(vec![vec![d / det, -b / det], vec![-c / det, a / det]])
}

/// Newton ascent with a backtracking line search; gradient ascent where the Hessian is not
/// negative definite. `None` when it does not converge to a finite maximum.
fn maximise(s: &Sample, f: Family, mut t: Vec<f64>) -> Option<Vec<f64>> {
    let n = t.len();
    let mut ll = log_likelihood(s, f, &t);
    if !ll.is_finite() {
        return None;
    }
    for _ in 0..200 {
        let g = gradient(s, f, &t);
        let h = hessian(s, f, &t);
        let step: Vec<f64> = match invert_negative(&h, n) {
            Some(cov) => (0..n)
                .map(|i| (0..n).map(|j| cov[i][j] * g[j]).sum())
                .collect(),
            None => {
                let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
                g.iter().map(|v| 0.5 * v / norm).collect()
            }
        };
        let mut scale = 1.0;
        let mut improved = false;
        while scale > 1e-10 {
            let trial: Vec<f64> = t.iter().zip(&step).map(|(a, d)| a + scale * d).collect();
            let trial_ll = log_likelihood(s, f, &trial);
            if trial_ll.is_finite() && trial_ll >= ll - 1e-12 {
                let gain = trial_ll - ll;
                t = trial;
                ll = trial_ll;
                improved = true;
                if gain.abs() < 1e-10 && step.iter().all(|d| (scale * d).abs() < 1e-8) {
                    return Some(t);
                }
                break;
            }
            scale *= 0.5;
        }
        if !improved {
            break;
        }
        if g.iter().all(|v| v.abs() < 1e-7) {
            return Some(t);
        }
    }
    // Accept where the gradient is small relative to the sample size.
    let g = gradient(s, f, &t);
    let tolerance = 1e-4 * (s.observed.len() + s.censored.len()) as f64;
    (t.iter().all(|v| v.is_finite()) && g.iter().all(|v| v.abs() < tolerance)).then_some(t)
}

/// The Kaplan–Meier estimate of the CDF: one `(time, F just before, F at time)` per distinct
/// observed time, in increasing time. Censored values reduce the risk set after their time.
pub fn kaplan_meier(sample: &Sample) -> Vec<(f64, f64, f64)> {
    let mut all: Vec<(f64, bool)> = sample
        .observed
        .iter()
        .map(|&x| (x, true))
        .chain(sample.censored.iter().map(|&c| (c, false)))
        .filter(|(x, _)| x.is_finite())
        .collect();
    // At equal times, endings come before censorings (the usual convention).
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = all.len() as f64;
    let mut survival = 1.0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let time = all[i].0;
        let mut ended = 0.0;
        let mut left = 0.0;
        while i < all.len() && all[i].0 == time {
            if all[i].1 {
                ended += 1.0;
            }
            left += 1.0;
            i += 1;
        }
        if ended > 0.0 {
            let before = 1.0 - survival;
            survival *= 1.0 - ended / at_risk;
            out.push((time, before, 1.0 - survival));
        }
        at_risk -= left;
    }
    out
}

/// sup |F̂ − F| over the Kaplan–Meier steps (both sides of each jump).
pub fn ks_distance(sample: &Sample, cdf: impl Fn(f64) -> f64) -> f64 {
    kaplan_meier(sample)
        .iter()
        .map(|&(x, before, after)| {
            let f = cdf(x);
            (f - before).abs().max((f - after).abs())
        })
        .fold(0.0, f64::max)
}

/// The classic 5 % critical KS distance for `n` values, 1.36/√n. With parameters estimated
/// from the same data the true critical value is smaller (Lilliefors), so a distance above
/// this is a clear misfit and one below it is not proof of a good one.
pub fn ks_critical_5pct(n: usize) -> f64 {
    1.36 / (n.max(1) as f64).sqrt()
}

/// The 90th percentile of a lognormal with log-scale σ, relative to its median.
pub fn lognormal_p90_over_median(sigma: f64) -> f64 {
    (sigma * Z_0_9).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exponential MLE with censoring is closed-form: mean = (Σ observed + Σ censored) / d.
    /// Here (1+2+3+4+5+6+7+8 + 10 + 10) / 8 = 56/8 = 7, and se(ln mean) = 1/√d = 1/√8, so the
    /// interval is 7·exp(±1.96/√8) = [3.50, 14.00].
    #[test]
    fn censored_exponential_matches_its_closed_form() {
        let sample = Sample {
            observed: (1..=8).map(f64::from).collect(),
            censored: vec![10.0, 10.0],
        };
        let fit = fit_family(&sample, Family::Exponential).unwrap();
        let mean = fit.param("mean").unwrap();
        assert!((mean.value - 7.0).abs() < 1e-6, "{mean:?}");
        let half = Z_975 / 8f64.sqrt();
        assert!((mean.ci95.0 - 7.0 * (-half).exp()).abs() < 1e-3);
        assert!((mean.ci95.1 - 7.0 * half.exp()).abs() < 1e-3);
    }

    /// Uncensored lognormal MLE: μ = mean of ln x, σ² = mean of (ln x − μ)² (divisor n).
    #[test]
    fn uncensored_lognormal_matches_its_closed_form() {
        let xs: Vec<f64> = [3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0, 144.0, 233.0].to_vec();
        let logs: Vec<f64> = xs.iter().map(|x: &f64| x.ln()).collect();
        let mu = logs.iter().sum::<f64>() / 10.0;
        let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / 10.0).sqrt();
        let fit = fit_family(
            &Sample {
                observed: xs,
                censored: vec![],
            },
            Family::Lognormal,
        )
        .unwrap();
        assert!((fit.param("mu").unwrap().value - mu).abs() < 1e-6);
        assert!((fit.param("sigma").unwrap().value - sigma).abs() < 1e-6);
    }

    /// Kaplan–Meier by hand: times 1, 2+, 3, 4 (2 censored). S(1) = 3/4; at 3 two remain at
    /// risk: S(3) = 3/4 · 1/2 = 3/8; S(4) = 0.
    #[test]
    fn kaplan_meier_steps_over_a_censored_value() {
        let km = kaplan_meier(&Sample {
            observed: vec![1.0, 3.0, 4.0],
            censored: vec![2.0],
        });
        assert_eq!(
            km,
            vec![(1.0, 0.0, 0.25), (3.0, 0.25, 0.625), (4.0, 0.625, 1.0)]
        );
    }

    #[test]
    fn too_few_or_invalid_values_are_not_fitted() {
        let few = Sample {
            observed: vec![1.0, 2.0],
            censored: vec![],
        };
        assert!(fit_all(&few).is_empty());
        let mut bad = Sample {
            observed: (1..=10).map(f64::from).collect(),
            censored: vec![],
        };
        bad.observed[3] = 0.0;
        assert!(fit_all(&bad).is_empty());
    }
}
