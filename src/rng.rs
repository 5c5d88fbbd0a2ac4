//! Random streams keyed by `(seed, rep, purpose, id…)` (docs/model.md §2, "Randomness and fair
//! comparison"). No generator is ever shared between replications or threads: each stream is
//! derived from its key alone, so a replication gives the same draws on any thread, and the
//! k-th failure of a service gives the same draws under every strategy.

use rand::RngCore;
use rand_pcg::Pcg64Mcg;

/// The generator behind every stream: small, fast, seedable, and stable across versions.
pub type StreamRng = Pcg64Mcg;

/// What a stream is used for; part of its key so streams never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Properties of the k-th failure of a service: time to failure, mode, warning, fix,
    /// report delay (in that order). Identical for every strategy.
    Failure = 1,
    /// Strategy-dependent draws of the k-th failure, synchronized across strategies: coverage
    /// coin, degradation-detection delay, routing coin (in that order, always all three).
    Detection = 2,
    /// The replication's unit-rate false-alarm process (gaps are divided by each strategy's rate).
    FalseAlarms = 3,
    /// The acknowledgement delay of a page (model.md §8.2), keyed by (tier, service) and the
    /// incident's k: an incident is paged at most once per tier. One draw per page.
    OnCallAck = 4,
    /// The ticket flood of the k-th failure of a service (model.md §8.4), the same under every
    /// strategy: per ticket, the gap since the previous arrival (unit-rate, divided by
    /// `per_hour`) then its deflection coin, always both.
    Tickets = 5,
    /// The workaround of the k-th failure of a service, synchronized across strategies: success
    /// coin, attempt time, time to the recurrence (in that order, always all three; model.md §8.8).
    Workaround = 6,
    /// The root-cause fix time of the problem opened by the k-th failure of a service (§8.9).
    Problem = 7,
    /// The acknowledgement delay of a page sent by an escalation policy (model.md §8.7),
    /// keyed by the service and (the incident's k, the policy's page number): a policy may
    /// page one tier several times. One draw per page.
    PolicyAck = 8,
    /// The n-th preventive maintenance of a service (model.md §8.6): its duration, then the
    /// time to failure after it (always both).
    Maintenance = 9,
    /// The n-th change deployed to a service (model.md §8.12), the same under every strategy:
    /// the unit-rate exponential gap (in open minutes of the change hours) since the previous
    /// change, the failure coin, then the change mode's warning, fix and report delay (always
    /// all five, each from its own substream).
    Change = 10,
    /// The user-report delay of the n-th symptom incident of a dependant service (model.md
    /// §8.11), keyed by (service, n), the same under every strategy: one draw.
    Symptom = 11,
    /// The Latin hypercube of `run --uncertainty N` (issue 15), keyed by the input's index
    /// (rep and k 0): the shuffle of its N strata, then one uniform per set. Drawn once per
    /// run, never inside a replication.
    Uncertainty = 12,
}

/// SplitMix64's finalizer: a bijective mix of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hash a stream key into a 128-bit generator seed.
#[inline]
pub fn stream(seed: u64, rep: u64, purpose: Purpose, id: u64, k: u64) -> StreamRng {
    StreamKey::new(seed, rep, purpose, id).stream(k)
}

/// The hash of a stream key without its last part `k`: every stream of one
/// `(seed, rep, purpose, id)` starts from it. A hot caller (the k-th failure of a service)
/// computes it once per replication and saves four of the six mixing rounds per stream;
/// [`StreamKey::stream`] then gives exactly the generator [`stream`] gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamKey(u64);

impl StreamKey {
    /// The key's first four parts, hashed in [`stream`]'s order.
    #[inline]
    pub fn new(seed: u64, rep: u64, purpose: Purpose, id: u64) -> StreamKey {
        let mut h = mix(seed ^ GOLDEN);
        h = mix(h ^ rep.wrapping_mul(GOLDEN));
        h = mix(h ^ (purpose as u64).wrapping_mul(0xd6e8_feb8_6659_fd93));
        h = mix(h ^ id.wrapping_mul(0xa076_1d64_78bd_642f));
        StreamKey(h)
    }

    /// The stream of the key completed by `k`: the same generator as `stream(…, k)`.
    #[inline]
    pub fn stream(self, k: u64) -> StreamRng {
        let h = mix(self.0 ^ k.wrapping_mul(0xe703_7ed1_a0b4_28db));
        let lo = mix(h ^ 0x5851_f42d_4c95_7f2d);
        let seed128 = ((h as u128) << 64) | lo as u128;
        Pcg64Mcg::new(seed128 | 1)
    }
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// A private sub-generator for one draw. Each draw from a keyed stream consumes exactly one
/// `u64` of it, however many numbers the distribution needs (rejection samplers vary), so the
/// draws that follow stay aligned whatever distributions a strategy or sweep point uses.
#[inline]
pub fn substream(parent: &mut StreamRng) -> StreamRng {
    child(parent.next_u64())
}

/// Exactly `StreamRng::seed_from_u64(seed)` (rand_core 0.9's default: four PCG32 outputs
/// read as a little-endian 128-bit state), computed in registers. The generic version fills
/// and re-reads a byte array, which cost 3 % of a benchmark run; the values are the same bit
/// for bit (see the test), so every stream keeps its numbers.
#[inline]
pub fn child(mut seed: u64) -> StreamRng {
    const MUL: u64 = 6_364_136_223_846_793_005;
    const INC: u64 = 11_634_580_027_462_260_723;
    let mut state: u128 = 0;
    for word in 0..4 {
        seed = seed.wrapping_mul(MUL).wrapping_add(INC);
        let xorshifted = (((seed >> 18) ^ seed) >> 27) as u32;
        let rot = (seed >> 59) as u32;
        state |= (xorshifted.rotate_right(rot) as u128) << (32 * word);
    }
    Pcg64Mcg::new(state)
}

/// A uniform number in [0, 1) from the top 53 bits of one `u64`.
#[inline]
pub fn uniform(rng: &mut StreamRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_child_is_the_generator_seed_from_u64_makes() {
        let mut keys = stream(3, 1, Purpose::Failure, 7, 2);
        for seed in [0, 1, u64::MAX, 0x8000_0000_0000_0000]
            .into_iter()
            .chain((0..1000).map(|_| keys.next_u64()))
        {
            let mut fast = child(seed);
            let mut reference = StreamRng::seed_from_u64(seed);
            for _ in 0..3 {
                assert_eq!(fast.next_u64(), reference.next_u64(), "seed {seed}");
            }
        }
    }

    #[test]
    fn streams_depend_on_every_part_of_their_key() {
        let base = stream(1, 2, Purpose::Failure, 3, 4).next_u64();
        assert_eq!(base, stream(1, 2, Purpose::Failure, 3, 4).next_u64());
        for other in [
            stream(0, 2, Purpose::Failure, 3, 4),
            stream(1, 0, Purpose::Failure, 3, 4),
            stream(1, 2, Purpose::Detection, 3, 4),
            stream(1, 2, Purpose::Failure, 0, 4),
            stream(1, 2, Purpose::Failure, 3, 0),
        ] {
            let mut other = other;
            assert_ne!(base, other.next_u64());
        }
    }

    /// The key hashed in one piece, as `stream` did before the key was split: the streams
    /// must keep their numbers.
    fn one_piece_stream(seed: u64, rep: u64, purpose: Purpose, id: u64, k: u64) -> StreamRng {
        let mut h = mix(seed ^ GOLDEN);
        h = mix(h ^ rep.wrapping_mul(GOLDEN));
        h = mix(h ^ (purpose as u64).wrapping_mul(0xd6e8_feb8_6659_fd93));
        h = mix(h ^ id.wrapping_mul(0xa076_1d64_78bd_642f));
        h = mix(h ^ k.wrapping_mul(0xe703_7ed1_a0b4_28db));
        let lo = mix(h ^ 0x5851_f42d_4c95_7f2d);
        Pcg64Mcg::new((((h as u128) << 64) | lo as u128) | 1)
    }

    #[test]
    fn a_stream_key_completed_by_k_is_the_stream() {
        for (seed, rep, id) in [(0, 0, 0), (2026, 7, 47), (u64::MAX, 3, 1 << 40)] {
            for purpose in [Purpose::Failure, Purpose::Detection, Purpose::Tickets] {
                let key = StreamKey::new(seed, rep, purpose, id);
                for k in [0, 1, 99, u64::MAX] {
                    let mut fast = key.stream(k);
                    let mut composed = stream(seed, rep, purpose, id, k);
                    let mut reference = one_piece_stream(seed, rep, purpose, id, k);
                    for _ in 0..3 {
                        let expected = reference.next_u64();
                        assert_eq!(fast.next_u64(), expected);
                        assert_eq!(composed.next_u64(), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn uniform_draws_stay_in_the_unit_interval() {
        let mut rng = stream(9, 9, Purpose::FalseAlarms, 0, 0);
        for _ in 0..10_000 {
            let u = uniform(&mut rng);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
