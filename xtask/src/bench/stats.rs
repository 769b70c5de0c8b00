//! Percentiles and medians of measured durations.

use std::time::Duration;

/// The nearest-rank percentile `p` (0–100) of `samples`; `None` when there are none.
pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

pub fn median(samples: &[Duration]) -> Option<Duration> {
    percentile(samples, 50.0)
}

/// p50 and p99 of a run, with how many calls it made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
    pub count: usize,
}

impl Latency {
    pub fn of(samples: &[Duration]) -> Option<Self> {
        Some(Self {
            p50: percentile(samples, 50.0)?,
            p99: percentile(samples, 99.0)?,
            count: samples.len(),
        })
    }
}

/// `ours / floor`, when the floor is not zero.
pub fn ratio(ours: f64, floor: f64) -> Option<f64> {
    (floor > 0.0).then(|| ours / floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples = ms(&(1..=100).rev().collect::<Vec<_>>());
        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(
            percentile(&samples, 100.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(percentile(&samples, 0.0), Some(Duration::from_millis(1)));
    }

    #[test]
    fn small_and_empty_runs() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(median(&ms(&[7])), Some(Duration::from_millis(7)));
        assert_eq!(median(&ms(&[3, 1, 2])), Some(Duration::from_millis(2)));
        // p99 of ten samples is the largest, not an interpolation past it.
        let ten = ms(&[5, 1, 9, 2, 8, 3, 7, 4, 6, 10]);
        assert_eq!(percentile(&ten, 99.0), Some(Duration::from_millis(10)));
        let latency = Latency::of(&ten).unwrap();
        assert_eq!((latency.p50, latency.count), (Duration::from_millis(5), 10));
    }

    #[test]
    fn ratios_need_a_floor() {
        assert_eq!(ratio(3.0, 2.0), Some(1.5));
        assert_eq!(ratio(3.0, 0.0), None);
    }
}
