//! Probability distributions of durations (in minutes), as docs/model.md §2 rule 13 defines them.
//!
//! Every kind is stored in the parameters it is sampled from, so a checked scenario can be
//! serialized (into the event log's `run_started`) and read back to give the same draws.

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp1, Gamma, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::special::{ln_gamma, normal_cdf, normal_quantile};

/// The 0.9 quantile of the standard normal distribution, z₀.₉.
pub const Z_0_9: f64 = 1.281_551_565_544_600_4;

/// A distribution of non-negative durations in minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Fixed { value: f64 },
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// `exp(mu + sigma·Z)`, with `mu`, `sigma` on the log-minutes scale.
    Lognormal { mu: f64, sigma: f64 },
    /// Weibull with shape k and scale λ (minutes).
    Weibull { shape: f64, scale: f64 },
    /// Gamma with shape k and scale θ (minutes); mean k·θ.
    Gamma { shape: f64, scale: f64 },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular on [min, max] with the given mode.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Beta-PERT with λ = 4.
    Pert { min: f64, mode: f64, max: f64 },
    /// Resample the listed values uniformly.
    Empirical { samples: Vec<f64> },
}

impl Dist {
    /// A fixed duration.
    pub fn fixed(value: f64) -> Dist {
        Dist::Fixed { value }
    }

    /// Lognormal from its median and 90th percentile: σ = ln(p90/median)/z₀.₉.
    pub fn lognormal_median_p90(median: f64, p90: f64) -> Dist {
        Dist::Lognormal {
            mu: median.ln(),
            sigma: (p90 / median).ln() / Z_0_9,
        }
    }

    /// Lognormal matching a mean and standard deviation.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Dist {
        let sigma2 = (1.0 + (sd * sd) / (mean * mean)).ln();
        Dist::Lognormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        }
    }

    /// Gamma from its shape and mean: scale = mean / shape.
    pub fn gamma_shape_mean(shape: f64, mean: f64) -> Dist {
        Dist::Gamma {
            shape,
            scale: mean / shape,
        }
    }

    /// Draw one duration. Never negative for a validated distribution.
    ///
    /// Inlined into its callers with the light families' code (a failure draws several
    /// durations, and the call cost as much as an exponential draw); gamma, PERT and the
    /// empirical distribution stay out of line.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Fixed { value } => *value,
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Dist::Lognormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Dist::Weibull { shape, scale } => {
                let u: f64 = rng.random();
                scale * (-(1.0 - u).ln()).powf(1.0 / shape)
            }
            Dist::Gamma { shape, scale } => sample_gamma(*shape, *scale, rng),
            Dist::Uniform { min, max } => {
                let u: f64 = rng.random();
                min + u * (max - min)
            }
            Dist::Triangular { min, mode, max } => {
                let u: f64 = rng.random();
                triangular_inverse_cdf(*min, *mode, *max, u)
            }
            Dist::Pert { min, mode, max } => sample_pert(*min, *mode, *max, rng),
            Dist::Empirical { samples } => sample_empirical(samples, rng),
        }
    }

    /// True for the families whose life after a given age [`Dist::sample_residual`] can draw
    /// (model.md §8.5: exponential, Weibull, lognormal).
    pub fn has_residual_life(&self) -> bool {
        matches!(
            self,
            Dist::Exponential { .. } | Dist::Weibull { .. } | Dist::Lognormal { .. }
        )
    }

    /// The cumulative hazard Λ(age) = −ln S(age) for the families with a residual life
    /// (under minimal repair, the expected number of failures by that age); `None` otherwise.
    pub fn cumulative_hazard(&self, age: f64) -> Option<f64> {
        match self {
            Dist::Exponential { mean } => Some(age / mean),
            Dist::Weibull { shape, scale } => Some((age / scale).powf(*shape)),
            Dist::Lognormal { mu, sigma } => Some(if age <= 0.0 {
                0.0
            } else {
                -normal_cdf(-(age.ln() - mu) / sigma).ln()
            }),
            _ => None,
        }
    }

    /// Draw the remaining life X − `age` of X ~ this distribution conditioned on X > `age`
    /// (model.md §8.5, minimal repair), with one use of `rng`.
    ///
    /// At age 0, and always for the exponential (memoryless), this is exactly [`Dist::sample`]
    /// with the same draws, so a service that is never repaired, or fails exponentially, gives
    /// the same numbers under either repair kind. Weibull and lognormal invert the conditional
    /// survival S(age + x) / S(age) at a uniform. `None` for the other families.
    pub fn sample_residual<R: Rng + ?Sized>(&self, age: f64, rng: &mut R) -> Option<f64> {
        if age <= 0.0 || matches!(self, Dist::Exponential { .. }) {
            return self.has_residual_life().then(|| self.sample(rng));
        }
        match self {
            Dist::Weibull { shape, scale } => {
                // S(x) = exp(−(x/λ)^k), so S(X)/S(a) = 1 − u gives
                // X = λ((a/λ)^k − ln(1 − u))^(1/k), the ordinary draw at a = 0.
                let u: f64 = rng.random();
                let cumulative_hazard = (age / scale).powf(*shape) - (1.0 - u).ln();
                let x = scale * cumulative_hazard.powf(1.0 / shape);
                Some((x - age).max(0.0))
            }
            Dist::Lognormal { mu, sigma } => {
                // S(x) = Φ(−(ln x − μ)/σ). Solve S(X) = (1 − u)·S(a) through the upper tail,
                // which keeps precision for ages far beyond the median.
                let u: f64 = rng.random();
                let z_age = (age.ln() - mu) / sigma;
                let survival = (1.0 - u) * normal_cdf(-z_age);
                if survival <= 0.0 {
                    // S(a) underflows: the service is older than any life the model can
                    // represent; it fails at once.
                    return Some(0.0);
                }
                let z = -normal_quantile(survival);
                let x = (mu + sigma * z).exp();
                Some((x - age).max(0.0))
            }
            _ => None,
        }
    }

    /// The distribution's mean (minutes).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed { value } => *value,
            Dist::Exponential { mean } => *mean,
            Dist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Empirical { samples } => {
                if samples.is_empty() {
                    0.0
                } else {
                    samples.iter().sum::<f64>() / samples.len() as f64
                }
            }
        }
    }

    /// True when the parameters describe a distribution of durations: finite, durations ≥ 0
    /// (0 is a degenerate distribution at 0, which a sweep's factor 0 gives), shapes > 0,
    /// min ≤ mode ≤ max. The parser builds only valid ones; the validator checks a scenario
    /// that came from elsewhere (a varied one, an event log's header).
    pub fn is_valid(&self) -> bool {
        let dur = |x: f64| x.is_finite() && x >= 0.0;
        match self {
            Dist::Fixed { value } => dur(*value),
            Dist::Exponential { mean } => dur(*mean),
            Dist::Lognormal { mu, sigma } => !mu.is_nan() && mu.is_finite() && dur(*sigma),
            Dist::Weibull { shape, scale } | Dist::Gamma { shape, scale } => {
                shape.is_finite() && *shape > 0.0 && dur(*scale)
            }
            Dist::Uniform { min, max } => dur(*min) && dur(*max) && min <= max,
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
                dur(*min) && dur(*mode) && dur(*max) && min <= mode && mode <= max
            }
            Dist::Empirical { samples } => !samples.is_empty() && samples.iter().all(|x| dur(*x)),
        }
    }

    /// True when every draw is the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed { .. })
    }

    /// The same distribution with every duration parameter multiplied by `factor` ≥ 0
    /// (sweeps and sensitivity scale a duration field as a whole distribution, docs/model.md §6).
    pub fn scaled(&self, factor: f64) -> Dist {
        let f = factor.max(0.0);
        match self {
            Dist::Fixed { value } => Dist::Fixed { value: value * f },
            Dist::Exponential { mean } => Dist::Exponential { mean: mean * f },
            Dist::Lognormal { mu, sigma } => {
                if f == 0.0 {
                    Dist::Fixed { value: 0.0 }
                } else {
                    Dist::Lognormal {
                        mu: mu + f.ln(),
                        sigma: *sigma,
                    }
                }
            }
            Dist::Weibull { shape, scale } => Dist::Weibull {
                shape: *shape,
                scale: scale * f,
            },
            Dist::Gamma { shape, scale } => Dist::Gamma {
                shape: *shape,
                scale: scale * f,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * f,
                max: max * f,
            },
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min * f,
                mode: mode * f,
                max: max * f,
            },
            Dist::Pert { min, mode, max } => Dist::Pert {
                min: min * f,
                mode: mode * f,
                max: max * f,
            },
            Dist::Empirical { samples } => Dist::Empirical {
                samples: samples.iter().map(|s| s * f).collect(),
            },
        }
    }

    /// A short human description, e.g. `exponential(mean 45d)`.
    pub fn describe(&self) -> String {
        use crate::scenario::duration::format_minutes as m;
        match self {
            Dist::Fixed { value } => m(*value),
            Dist::Exponential { mean } => format!("exponential (mean {})", m(*mean)),
            Dist::Lognormal { mu, sigma } => format!(
                "lognormal (median {}, p90 {})",
                m(mu.exp()),
                m((mu + sigma * Z_0_9).exp())
            ),
            Dist::Weibull { shape, scale } => {
                format!("weibull (shape {shape}, scale {})", m(*scale))
            }
            Dist::Gamma { shape, scale } => {
                format!("gamma (shape {shape}, mean {})", m(shape * scale))
            }
            Dist::Uniform { min, max } => format!("uniform ({} – {})", m(*min), m(*max)),
            Dist::Triangular { min, mode, max } => {
                format!("triangular ({}, mode {}, {})", m(*min), m(*mode), m(*max))
            }
            Dist::Pert { min, mode, max } => {
                format!("PERT ({}, mode {}, {})", m(*min), m(*mode), m(*max))
            }
            Dist::Empirical { samples } => {
                format!(
                    "empirical ({} samples, mean {})",
                    samples.len(),
                    m(self.mean())
                )
            }
        }
    }
}

#[inline(never)]
fn sample_gamma<R: Rng + ?Sized>(shape: f64, scale: f64, rng: &mut R) -> f64 {
    match Gamma::new(shape, scale) {
        Ok(g) => g.sample(rng),
        Err(_) => 0.0,
    }
}

#[inline(never)]
fn sample_pert<R: Rng + ?Sized>(min: f64, mode: f64, max: f64, rng: &mut R) -> f64 {
    let range = max - min;
    if range <= 0.0 {
        return min;
    }
    let alpha = 1.0 + 4.0 * (mode - min) / range;
    let beta = 1.0 + 4.0 * (max - mode) / range;
    match Beta::new(alpha, beta) {
        Ok(b) => {
            let x: f64 = b.sample(rng);
            min + x * range
        }
        Err(_) => mode,
    }
}

#[inline(never)]
fn sample_empirical<R: Rng + ?Sized>(samples: &[f64], rng: &mut R) -> f64 {
    let n = samples.len();
    if n == 0 {
        return 0.0;
    }
    let u: f64 = rng.random();
    samples[((u * n as f64) as usize).min(n - 1)]
}

fn triangular_inverse_cdf(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let range = max - min;
    if range <= 0.0 {
        return min;
    }
    let split = (mode - min) / range;
    if u < split {
        min + (u * range * (mode - min)).sqrt()
    } else {
        max - ((1.0 - u) * range * (max - mode)).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// The mean remaining life of X ~ `d` after `age`, E[X − a | X > a] = ∫₀^∞ S(a + x) dx / S(a),
    /// by Simpson's rule over [0, `upto`] (the survival is negligible beyond it).
    fn mean_residual_life(survival: impl Fn(f64) -> f64, age: f64, upto: f64) -> f64 {
        let n = 20_000;
        let h = upto / n as f64;
        let mut sum = survival(age) + survival(age + upto);
        for i in 1..n {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            sum += w * survival(age + i as f64 * h);
        }
        sum * h / 3.0 / survival(age)
    }

    fn residual_mean(d: &Dist, age: f64, n: usize) -> (f64, f64) {
        let mut rng = Pcg64Mcg::seed_from_u64(11);
        let xs: Vec<f64> = (0..n)
            .map(|_| d.sample_residual(age, &mut rng).expect("supported family"))
            .collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, (var / n as f64).sqrt())
    }

    #[test]
    fn residual_life_at_age_zero_is_the_ordinary_draw() {
        for d in [
            Dist::Exponential { mean: 50.0 },
            Dist::Weibull {
                shape: 3.0,
                scale: 100.0,
            },
            Dist::lognormal_median_p90(60.0, 240.0),
        ] {
            let a = d.sample(&mut Pcg64Mcg::seed_from_u64(5));
            let b = d
                .sample_residual(0.0, &mut Pcg64Mcg::seed_from_u64(5))
                .unwrap();
            assert_eq!(a.to_bits(), b.to_bits(), "{d:?}");
        }
    }

    #[test]
    fn exponential_residual_life_is_memoryless_and_uses_the_ordinary_draw() {
        let d = Dist::Exponential { mean: 50.0 };
        let a = d.sample(&mut Pcg64Mcg::seed_from_u64(5));
        let b = d
            .sample_residual(1234.0, &mut Pcg64Mcg::seed_from_u64(5))
            .unwrap();
        assert_eq!(a.to_bits(), b.to_bits());
    }

    #[test]
    fn weibull_residual_life_has_the_conditional_mean() {
        // Wear-out (shape 3): after age 150 (1.5 scales) the expected remaining life is far
        // below the new service's mean of 100·Γ(4/3) ≈ 89.3.
        let (shape, scale, age) = (3.0, 100.0, 150.0);
        let d = Dist::Weibull { shape, scale };
        let survival = |x: f64| (-(x / scale).powf(shape)).exp();
        let exact = mean_residual_life(survival, age, 400.0);
        let (mean, se) = residual_mean(&d, age, 200_000);
        assert!(exact < 30.0, "exact {exact}");
        assert!(
            (mean - exact).abs() < 4.0 * se,
            "{mean} ± {se}, exact {exact}"
        );
    }

    #[test]
    fn lognormal_residual_life_has_the_conditional_mean() {
        let d = Dist::Lognormal {
            mu: 4.0,
            sigma: 0.5,
        };
        let age = 80.0; // above the median e⁴ ≈ 54.6
        let survival = |x: f64| {
            if x <= 0.0 {
                1.0
            } else {
                crate::special::normal_cdf(-(x.ln() - 4.0) / 0.5)
            }
        };
        let exact = mean_residual_life(survival, age, 2_000.0);
        let (mean, se) = residual_mean(&d, age, 50_000);
        assert!(
            (mean - exact).abs() < 4.0 * se,
            "{mean} ± {se}, exact {exact}"
        );
    }

    #[test]
    fn residual_life_is_refused_for_families_without_a_survival_inverse() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        assert!(!Dist::fixed(10.0).has_residual_life());
        assert_eq!(Dist::fixed(10.0).sample_residual(5.0, &mut rng), None);
        assert_eq!(
            Dist::gamma_shape_mean(2.0, 10.0).sample_residual(5.0, &mut rng),
            None
        );
    }

    fn sample_mean(d: &Dist, n: usize) -> (f64, f64) {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, (var / n as f64).sqrt())
    }

    #[test]
    fn sample_means_match_analytic_means_within_five_standard_errors() {
        let cases = [
            Dist::Exponential { mean: 30.0 },
            Dist::lognormal_median_p90(45.0, 180.0),
            Dist::lognormal_mean_sd(60.0, 20.0),
            Dist::Weibull {
                shape: 1.5,
                scale: 100.0,
            },
            Dist::gamma_shape_mean(2.5, 80.0),
            Dist::Uniform {
                min: 10.0,
                max: 20.0,
            },
            Dist::Triangular {
                min: 10.0,
                mode: 20.0,
                max: 60.0,
            },
            Dist::Pert {
                min: 10.0,
                mode: 20.0,
                max: 60.0,
            },
            Dist::Empirical {
                samples: vec![1.0, 2.0, 10.0],
            },
        ];
        for d in &cases {
            let (m, se) = sample_mean(d, 200_000);
            assert!(
                (m - d.mean()).abs() < 5.0 * se + 1e-9,
                "{d:?}: sample mean {m} vs {} (se {se})",
                d.mean()
            );
            assert!(d.sample(&mut Pcg64Mcg::seed_from_u64(1)) >= 0.0);
        }
    }

    #[test]
    fn lognormal_median_p90_puts_ten_percent_above_p90() {
        let d = Dist::lognormal_median_p90(45.0, 180.0);
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let n = 100_000;
        let above = (0..n).filter(|_| d.sample(&mut rng) > 180.0).count();
        let share = above as f64 / n as f64;
        assert!((share - 0.1).abs() < 0.005, "share above p90 = {share}");
    }

    #[test]
    fn scaling_a_distribution_scales_its_draws() {
        let d = Dist::Exponential { mean: 30.0 };
        let a = d.sample(&mut Pcg64Mcg::seed_from_u64(9));
        let b = d.scaled(2.0).sample(&mut Pcg64Mcg::seed_from_u64(9));
        assert!((b - 2.0 * a).abs() < 1e-9);
        assert!((d.scaled(2.0).mean() - 60.0).abs() < 1e-12);
    }
}
