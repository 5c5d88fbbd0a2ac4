//! Small numeric helpers the charts share: histograms with round bin edges, type-7 quantiles
//! without a full sort, and the empirical CDF of the log-binned restore-time histogram.

use crate::charts::axes::nice_width;
use crate::projections::metrics::restore_bin_lower_edge;

/// A histogram with equal-width bins starting at `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Lower edge of the first bin (a multiple of `width`, so 0 is always an edge).
    pub start: f64,
    pub width: f64,
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Bin `values` into about `target_bins` bins of a round width covering `[lo, hi]` (the
    /// caller's range: several series can share one set of edges). Values outside the range go
    /// to the nearest end bin.
    pub fn with_range(values: &[f64], lo: f64, hi: f64, target_bins: usize) -> Histogram {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            // A single value: one bin of a sensible width around it.
            let w = (lo.abs() * 0.1).max(1.0);
            (lo - w / 2.0, lo + w / 2.0)
        };
        let width = nice_width(hi - lo, target_bins);
        let start = (lo / width).floor() * width;
        let n = (((hi - start) / width).floor() as usize + 1).max(1);
        let mut counts = vec![0u64; n];
        for &v in values {
            let i = ((v - start) / width).floor();
            let i = if i.is_finite() && i > 0.0 {
                (i as usize).min(n - 1)
            } else {
                0
            };
            counts[i] += 1;
        }
        Histogram {
            start,
            width,
            counts,
        }
    }

    /// Bin `values` over their own range.
    pub fn of(values: &[f64], target_bins: usize) -> Histogram {
        let (lo, hi) = min_max(values).unwrap_or((0.0, 0.0));
        Histogram::with_range(values, lo, hi, target_bins)
    }

    /// Edges `(lo, hi)` of bin `i`.
    pub fn bin(&self, i: usize) -> (f64, f64) {
        let lo = self.start + i as f64 * self.width;
        (lo, lo + self.width)
    }

    /// Upper edge of the last bin.
    pub fn end(&self) -> f64 {
        self.start + self.counts.len() as f64 * self.width
    }

    /// The largest bin count.
    pub fn max_count(&self) -> u64 {
        self.counts.iter().copied().max().unwrap_or(0)
    }
}

/// The number of histogram bins for `n` values: √n, kept between 10 and 50.
pub fn bins_for(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(10, 50)
}

/// Smallest and largest finite value.
pub fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

pub use crate::stats::quantile_select;

/// The empirical CDF of restore times from the log-binned histogram (bins of
/// `projections::metrics`): points `(minutes, share restored within)`, from the lower edge of
/// the first non-empty bin (share 0) to the upper edge of the last (share 1). Between points the
/// CDF is interpolated linearly in log time. Empty when no outage ended.
pub fn restore_cdf(hist: &[u64]) -> Vec<(f64, f64)> {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return Vec::new();
    }
    let first = hist.iter().position(|&c| c > 0).unwrap_or(0);
    let last = hist.iter().rposition(|&c| c > 0).unwrap_or(0);
    let mut points = vec![(restore_bin_lower_edge(first), 0.0)];
    let mut cum = 0u64;
    for (i, &count) in hist.iter().enumerate().take(last + 1).skip(first) {
        cum += count;
        points.push((restore_bin_lower_edge(i + 1), cum as f64 / total as f64));
    }
    points
}

/// The time (minutes) at which a restore CDF from [`restore_cdf`] reaches share `p`, by log
/// interpolation within the bin. None for an empty CDF.
pub fn cdf_quantile(cdf: &[(f64, f64)], p: f64) -> Option<f64> {
    let mut prev = *cdf.first()?;
    for &(t, share) in &cdf[1..] {
        if share >= p {
            if share <= prev.1 {
                return Some(t);
            }
            let f = (p - prev.1) / (share - prev.1);
            return Some(prev.0 * (t / prev.0).powf(f));
        }
        prev = (t, share);
    }
    cdf.last().map(|&(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projections::RESTORE_BINS;
    use crate::projections::metrics::restore_bin;
    use crate::stats::quantile;

    #[test]
    fn selection_quantile_equals_the_sorting_one() {
        let xs: Vec<f64> = (0..101).map(|i| ((i * 37) % 101) as f64 * 1.5).collect();
        for p in [0.0, 0.05, 0.5, 0.9, 0.95, 1.0] {
            let mut copy = xs.clone();
            assert_eq!(quantile_select(&mut copy, p), quantile(&xs, p), "p = {p}");
        }
        assert!(quantile_select(&mut [], 0.5).is_nan());
        assert_eq!(quantile_select(&mut [3.0], 0.95), 3.0);
    }

    #[test]
    fn histogram_edges_are_round_and_cover_every_value() {
        let xs = [-3.0, 0.0, 1.0, 49.9, 97.0];
        let h = Histogram::of(&xs, 20);
        assert_eq!(h.width, 5.0);
        assert_eq!(h.start, -5.0);
        assert!(h.end() > 97.0);
        assert_eq!(h.counts.iter().sum::<u64>(), xs.len() as u64);
        // 0 is an edge: it falls in the bin starting at 0.
        assert_eq!(h.counts[1], 2);
    }

    #[test]
    fn histogram_of_one_repeated_value_has_a_bin() {
        let h = Histogram::of(&[60_000.0; 5], 20);
        assert_eq!(h.counts.iter().sum::<u64>(), 5);
        assert!(h.start <= 60_000.0 && h.end() > 60_000.0);
    }

    #[test]
    fn restore_cdf_reaches_one_and_its_median_is_in_the_right_bin() {
        let mut hist = vec![0u64; RESTORE_BINS];
        for t in [10.0, 20.0, 30.0, 100.0, 1000.0] {
            hist[restore_bin(t)] += 1;
        }
        let cdf = restore_cdf(&hist);
        assert_eq!(cdf.first().map(|p| p.1), Some(0.0));
        assert_eq!(cdf.last().map(|p| p.1), Some(1.0));
        let p50 = cdf_quantile(&cdf, 0.5).expect("non-empty");
        assert_eq!(restore_bin(p50 * 0.999_999), restore_bin(30.0));
        assert!(restore_cdf(&vec![0; RESTORE_BINS]).is_empty());
    }
}
