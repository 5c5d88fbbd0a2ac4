//! The replications' rows as a run keeps them until the report is written: each
//! [`RepMetrics`] packed into one block of words, zeros left out.
//!
//! Why: every replication's row is kept (the statistics need them all), and a row in its
//! struct form is 464 bytes plus a heap block per non-empty column, most of it fields of
//! features a scenario does not use (always zero) and vector headers. Packed, the benchmark's
//! row is a third smaller, which is what brings a replication under 2 KiB (issue 19).
//!
//! The packing is exact: a row unpacks to the same bits it was packed from (a zero is left out
//! only when its bits are all zero, so −0.0 is kept; `None` and `Some(0.0)` differ). Readers
//! get owned rows back ([`Rows::row`], [`Rows::iter`]). The report passes over the rows a few
//! dozen times, so its hot readers skip the unpacking: [`Rows::metric_values`] reads a
//! metric's field straight from the packed words and [`Rows::column_values`] one value of a
//! column by its offset (the benchmark's report at `-n 10000`: 0.15 s unpacked, 0.2–0.3 s
//! packed, of a 14 s run).
//!
//! Layout of a packed row (64-bit words):
//! 1. a header word: bit `i` (i < `SCALARS`) set when scalar `i` is stored; bit
//!    `SCALARS + j` set when column `j` is not empty;
//! 2. the stored scalars, in field order (f64 and `Option<f64>` as their bits, counts as is);
//! 3. each non-empty column in field order: its length, then its values (a column of
//!    `Option<f64>` first has one word of presence bits per 64 values, then the present values).

use std::sync::LazyLock;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::metrics::Metric;
use crate::projections::metrics::RepMetrics;

const _: () = assert!(
    SCALARS + COLUMNS <= 64,
    "one header word holds every presence bit"
);

/// The per-tier and per-service columns of a row that [`Rows::column_values`] reads, in
/// packing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `tier_pages` (counts, as f64).
    TierPages = 0,
    /// `tier_pages_asleep` (counts, as f64).
    TierPagesAsleep = 1,
    /// `tier_busy_minutes`.
    TierBusyMinutes = 2,
    /// `tier_queue_wait_minutes` (`None` also where a value is absent).
    TierQueueWaitMinutes = 3,
    /// `service_outage_minutes`.
    ServiceOutageMinutes = 4,
    /// `service_inherited_outage_minutes`.
    ServiceInheritedOutageMinutes = 5,
    /// `service_root_cause_cost`.
    ServiceRootCauseCost = 6,
}

/// One strategy's rows, in replication order, packed (see the module documentation).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Rows {
    packed: Vec<Box<[u64]>>,
}

impl Rows {
    /// No rows, with room for `reps` without growing.
    pub fn with_capacity(reps: usize) -> Rows {
        Rows {
            packed: Vec::with_capacity(reps),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Bytes the rows hold: each packed block and its pointer (the allocator's own header,
    /// 8 to 16 bytes a block, not counted).
    pub fn bytes(&self) -> usize {
        self.packed
            .iter()
            .map(|p| std::mem::size_of::<Box<[u64]>>() + 8 * p.len())
            .sum()
    }

    /// Append a row.
    pub fn push(&mut self, row: &RepMetrics) {
        self.packed.push(pack(row));
    }

    /// Append every row of `other`, in its order.
    pub fn append(&mut self, other: Rows) {
        self.packed.extend(other.packed);
    }

    /// Row `i`, unpacked.
    ///
    /// # Panics
    /// If `i` is not below [`Rows::len`].
    pub fn row(&self, i: usize) -> RepMetrics {
        unpack(&self.packed[i])
    }

    /// Row `i`, unpacked into `row` (its buffers reused: a writer of every row allocates
    /// nothing per row).
    ///
    /// # Panics
    /// If `i` is not below [`Rows::len`].
    pub fn row_into(&self, i: usize, row: &mut RepMetrics) {
        unpack_into(&self.packed[i], row, true);
    }

    /// Every row in order, unpacked one at a time.
    pub fn iter(&self) -> RowsIter<'_> {
        self.packed.iter().map(unpack_boxed)
    }

    /// `read` of every row in order. Cheaper than [`Rows::iter`] for a reader that needs a
    /// few numbers of each row: the rows are unpacked one after another into one buffer, so
    /// nothing is allocated per row.
    pub fn values<'a, T>(
        &'a self,
        read: impl FnMut(&RepMetrics) -> T + 'a,
    ) -> impl ExactSizeIterator<Item = T> + 'a {
        self.unpacked(true, read)
    }

    /// [`Rows::values`] for a reader of the scalar fields only (every metric of the registry,
    /// [`crate::metrics::Metric::value`]): the per-tier and per-service columns are left
    /// empty, which makes a pass over the rows several times cheaper. The report makes two
    /// such passes per metric and strategy.
    pub fn scalars<'a, T>(
        &'a self,
        read: impl FnMut(&RepMetrics) -> T + 'a,
    ) -> impl ExactSizeIterator<Item = T> + 'a {
        self.unpacked(false, read)
    }

    /// `read` of every row, unpacked in turn into one buffer (with its columns or not).
    fn unpacked<'a, T>(
        &'a self,
        columns: bool,
        mut read: impl FnMut(&RepMetrics) -> T + 'a,
    ) -> impl ExactSizeIterator<Item = T> + 'a {
        let mut buffer = RepMetrics::default();
        self.packed.iter().map(move |packed| {
            unpack_into(packed, &mut buffer, columns);
            read(&buffer)
        })
    }

    /// `metric`'s value in every row in order: the same as `self.scalars(|r| metric.value(r))`.
    /// A metric that reads one scalar field as it is (most do) reads it straight from the
    /// packed words, without unpacking the row (`direct_read` finds which field).
    pub fn metric_values(&self, metric: Metric) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        let direct = DIRECT_READS.get(metric.index()).copied().flatten();
        let mut buffer = RepMetrics::default();
        self.packed.iter().map(move |words| match direct {
            Some((field, kind)) => {
                let header = words[0];
                let stored = header & (1 << field) != 0;
                let at = 1 + (header & ((1 << field) - 1)).count_ones() as usize;
                let bits = if stored { words[at] } else { 0 };
                match kind {
                    ScalarKind::Float => Some(f64::from_bits(bits)),
                    ScalarKind::Count => Some(bits as f64),
                    ScalarKind::Optional => stored.then_some(f64::from_bits(bits)),
                }
            }
            None => {
                unpack_into(words, &mut buffer, false);
                metric.value(&buffer)
            }
        })
    }

    /// Value `i` of a per-tier or per-service column of every row in order (`None` where the
    /// row's column is empty or shorter): the report's per-service summaries read one value of
    /// each row per service, and this finds it without unpacking the row.
    pub fn column_values(
        &self,
        column: Column,
        i: usize,
    ) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        self.packed.iter().map(move |words| {
            let header = words[0];
            let mut at = 1 + (header & ((1 << SCALARS) - 1)).count_ones() as usize;
            for earlier in 0..column as u32 {
                if header & (1 << (SCALARS + earlier)) == 0 {
                    continue;
                }
                let len = words[at] as usize;
                at += 1 + len;
                if earlier == Column::TierQueueWaitMinutes as u32 {
                    // Its presence words, then only the present values.
                    let presence = &words[at - len..at - len + len.div_ceil(64)];
                    at = at - len
                        + presence.len()
                        + presence
                            .iter()
                            .map(|w| w.count_ones() as usize)
                            .sum::<usize>();
                }
            }
            if header & (1 << (SCALARS + column as u32)) == 0 {
                return None;
            }
            let len = words[at] as usize;
            if i >= len {
                return None;
            }
            if column == Column::TierQueueWaitMinutes {
                let presence = &words[at + 1..at + 1 + len.div_ceil(64)];
                if presence[i / 64] & (1 << (i % 64)) == 0 {
                    return None;
                }
                let before: usize = presence[..i / 64]
                    .iter()
                    .map(|w| w.count_ones() as usize)
                    .sum::<usize>()
                    + (presence[i / 64] & ((1 << (i % 64)) - 1)).count_ones() as usize;
                return Some(f64::from_bits(words[at + 1 + presence.len() + before]));
            }
            let value = words[at + 1 + i];
            Some(match column {
                Column::TierPages | Column::TierPagesAsleep => value as f64,
                _ => f64::from_bits(value),
            })
        })
    }

    /// Change row `i` in place with `change`.
    ///
    /// # Panics
    /// If `i` is not below [`Rows::len`].
    pub fn update_row(&mut self, i: usize, change: impl FnOnce(&mut RepMetrics)) {
        let mut row = unpack(&self.packed[i]);
        change(&mut row);
        self.packed[i] = pack(&row);
    }

    /// Change every row in place with `change` (re-costing: the counts stay, the costs move).
    pub fn update(&mut self, mut change: impl FnMut(&mut RepMetrics)) {
        // Buffers reused from row to row; a row whose packed length did not change (the
        // usual case: a re-costing moves values, not which of them are zero) keeps its block.
        let mut row = RepMetrics::default();
        let mut words = Vec::new();
        for packed in &mut self.packed {
            unpack_into(packed, &mut row, true);
            change(&mut row);
            pack_into(&row, &mut words);
            if words.len() == packed.len() {
                packed.copy_from_slice(&words);
            } else {
                *packed = Box::from(&words[..]);
            }
        }
    }

    /// Bytes a packed row holds at most when its columns are as long as `shape`'s: every
    /// scalar stored, every value of its `Option` column present (the block's allocator
    /// header not counted).
    pub fn packed_bytes_at_most(shape: &RepMetrics) -> usize {
        let lengths = [
            shape.tier_pages.len(),
            shape.tier_pages_asleep.len(),
            shape.tier_busy_minutes.len(),
            shape.tier_queue_wait_minutes.len(),
            shape.service_outage_minutes.len(),
            shape.service_inherited_outage_minutes.len(),
            shape.service_root_cause_cost.len(),
        ];
        let columns: usize = lengths
            .iter()
            .map(|&len| if len == 0 { 0 } else { 1 + len })
            .sum();
        let presence = shape.tier_queue_wait_minutes.len().div_ceil(64);
        (1 + SCALARS as usize + columns + presence) * 8
    }
}

/// How a scalar field is stored in [`RepMetrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScalarKind {
    /// An `f64` (zero when not stored).
    Float,
    /// A `u64` count, which a metric reads as `f64`.
    Count,
    /// An `Option<f64>` (`None` when not stored).
    Optional,
}

/// For each metric of the registry (by [`Metric::index`]), the scalar field it reads as it
/// is, if it does: found once by probing, not declared a second time.
static DIRECT_READS: LazyLock<Vec<Option<(u32, ScalarKind)>>> =
    LazyLock::new(|| Metric::all().map(direct_read).collect());

/// The scalar field `metric` reads as it is, and how: see [`direct_read_of`].
fn direct_read(metric: Metric) -> Option<(u32, ScalarKind)> {
    direct_read_of(|row| metric.value(row))
}

/// The scalar field `value` reads as it is, and how, when its value is exactly that field's.
///
/// Probed, not declared: every scalar is set to a distinct background value, then one field
/// at a time takes each probe value (small, large, negative, −0.0, a count-like word) or is
/// left out; `value` must give exactly that field's value (by its kind) for every probe of
/// one field, and no other field may move it. A formula (a ratio, a cap, a sum of fields) or a
/// metric of no field fails some probe and has none: it is read from an unpacked row instead.
fn direct_read_of(value: impl Fn(&RepMetrics) -> Option<f64>) -> Option<(u32, ScalarKind)> {
    // Background values: non-zero, distinct, and unlike every probe (as floats and as counts).
    let background = |k: u32| (2.0 + f64::from(k) * 1.37).to_bits();
    let row_with = |field: u32, probe: Option<u64>| {
        let mut words = vec![0];
        for k in 0..SCALARS {
            let stored = if k == field {
                probe
            } else {
                Some(background(k))
            };
            if let Some(w) = stored {
                words[0] |= 1 << k;
                words.push(w);
            }
        }
        value(&unpack(&words)).map(f64::to_bits)
    };
    let probes = [
        1.5f64.to_bits(),
        3,
        (-0.0f64).to_bits(),
        1e300f64.to_bits(),
        (-7.25f64).to_bits(),
        u64::MAX >> 12,
    ];
    let mut found = None;
    for field in 0..SCALARS {
        let reads_as = |kind: ScalarKind| {
            let absent = match kind {
                ScalarKind::Optional => None,
                _ => Some(0),
            };
            row_with(field, None) == absent
                && probes.iter().all(|&w| {
                    let expected = match kind {
                        ScalarKind::Float | ScalarKind::Optional => w,
                        ScalarKind::Count => (w as f64).to_bits(),
                    };
                    row_with(field, Some(w)) == Some(expected)
                })
        };
        if let Some(kind) = [ScalarKind::Float, ScalarKind::Count, ScalarKind::Optional]
            .into_iter()
            .find(|&kind| reads_as(kind))
        {
            if found.is_some() {
                return None;
            }
            found = Some((field, kind));
        }
    }
    found
}

/// The iterator of [`Rows::iter`].
pub type RowsIter<'a> =
    std::iter::Map<std::slice::Iter<'a, Box<[u64]>>, fn(&'a Box<[u64]>) -> RepMetrics>;

// The map's function must take the slice iterator's item, a `&Box`.
#[allow(clippy::borrowed_box)]
fn unpack_boxed(packed: &Box<[u64]>) -> RepMetrics {
    unpack(packed)
}

impl<'a> IntoIterator for &'a Rows {
    type Item = RepMetrics;
    type IntoIter = RowsIter<'a>;
    fn into_iter(self) -> RowsIter<'a> {
        self.iter()
    }
}

impl FromIterator<RepMetrics> for Rows {
    fn from_iter<I: IntoIterator<Item = RepMetrics>>(rows: I) -> Rows {
        Rows {
            packed: rows.into_iter().map(|r| pack(&r)).collect(),
        }
    }
}

impl From<Vec<RepMetrics>> for Rows {
    fn from(rows: Vec<RepMetrics>) -> Rows {
        rows.into_iter().collect()
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Written as the list of rows it holds: the same JSON as a `Vec<RepMetrics>`, so shard files
/// of earlier versions read back unchanged.
impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rows, D::Error> {
        struct RowsVisitor;
        impl<'de> Visitor<'de> for RowsVisitor {
            type Value = Rows;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of replication rows")
            }
            // Packed as they are read: a shard's rows are never all held unpacked at once.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
                // The size hint is the file's claim: capped, so a hostile one allocates nothing.
                let mut rows = Rows::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(row) = seq.next_element::<RepMetrics>()? {
                    rows.push(&row);
                }
                Ok(rows)
            }
        }
        deserializer.deserialize_seq(RowsVisitor)
    }
}

/// Builds a packed row: the header's bits as fields are written.
struct Packer<'a> {
    words: &'a mut Vec<u64>,
    index: u32,
}

impl Packer<'_> {
    fn stored(&mut self, value: u64, present: bool) {
        if present {
            self.words[0] |= 1 << self.index;
            self.words.push(value);
        }
        self.index += 1;
    }
    fn f64(&mut self, v: f64) {
        self.stored(v.to_bits(), v.to_bits() != 0);
    }
    fn u64(&mut self, v: u64) {
        self.stored(v, v != 0);
    }
    fn option(&mut self, v: Option<f64>) {
        self.stored(v.map_or(0, f64::to_bits), v.is_some());
    }
    fn column(&mut self, values: impl ExactSizeIterator<Item = u64>) {
        debug_assert!(self.index >= SCALARS);
        if values.len() > 0 {
            self.words[0] |= 1 << self.index;
            self.words.push(values.len() as u64);
            self.words.extend(values);
        }
        self.index += 1;
    }
    fn u64_column(&mut self, values: &[u64]) {
        self.column(values.iter().copied());
    }
    fn f64_column(&mut self, values: &[f64]) {
        self.column(values.iter().map(|v| v.to_bits()));
    }
    fn option_column(&mut self, values: &[Option<f64>]) {
        if !values.is_empty() {
            self.words[0] |= 1 << self.index;
            self.words.push(values.len() as u64);
            for chunk in values.chunks(64) {
                let bits = chunk
                    .iter()
                    .enumerate()
                    .fold(0u64, |bits, (i, v)| bits | (u64::from(v.is_some()) << i));
                self.words.push(bits);
            }
            self.words
                .extend(values.iter().flatten().map(|v| v.to_bits()));
        }
        self.index += 1;
    }
}

/// Reads a packed row back in the order [`Packer`] wrote it.
struct Unpacker<'a> {
    words: &'a [u64],
    header: u64,
    /// The scalars, zeros where none is stored: spread out in one pass over the header's
    /// set bits, so reading each field is a load, not a step of a chain of counts (the
    /// report reads every metric of every row this way, two passes per metric).
    scalars: [u64; SCALARS as usize],
    next: usize,
    index: u32,
}

impl<'a> Unpacker<'a> {
    fn new(words: &'a [u64]) -> Self {
        let header = words[0];
        let mut scalars = [0; SCALARS as usize];
        let mut stored = header & ((1 << SCALARS) - 1);
        let mut next = 1;
        while stored != 0 {
            scalars[stored.trailing_zeros() as usize] = words[next];
            next += 1;
            stored &= stored - 1;
        }
        Unpacker {
            words,
            header,
            scalars,
            next,
            index: 0,
        }
    }

    /// The next scalar: its value (zero when none is stored) and whether it is stored.
    fn scalar(&mut self) -> (u64, bool) {
        let i = self.index;
        self.index += 1;
        (self.scalars[i as usize], self.header & (1 << i) != 0)
    }

    /// The next column's length, if it is stored.
    fn stored(&mut self) -> Option<u64> {
        let present = self.header & (1 << self.index) != 0;
        self.index += 1;
        present.then(|| {
            self.next += 1;
            self.words[self.next - 1]
        })
    }
    fn f64(&mut self) -> f64 {
        f64::from_bits(self.scalar().0)
    }
    fn u64(&mut self) -> u64 {
        self.scalar().0
    }
    fn option(&mut self) -> Option<f64> {
        let (bits, stored) = self.scalar();
        stored.then_some(f64::from_bits(bits))
    }
    fn column(&mut self) -> &[u64] {
        match self.stored() {
            None => &[],
            Some(len) => {
                let values = &self.words[self.next..self.next + len as usize];
                self.next += len as usize;
                values
            }
        }
    }
    fn u64_column(&mut self, into: &mut Vec<u64>) {
        into.clear();
        into.extend_from_slice(self.column());
    }
    fn f64_column(&mut self, into: &mut Vec<f64>) {
        into.clear();
        into.extend(self.column().iter().map(|&b| f64::from_bits(b)));
    }
    fn option_column(&mut self, into: &mut Vec<Option<f64>>) {
        into.clear();
        let Some(len) = self.stored() else {
            return;
        };
        let len = len as usize;
        let presence = &self.words[self.next..self.next + len.div_ceil(64)];
        self.next += presence.len();
        for i in 0..len {
            into.push((presence[i / 64] & (1 << (i % 64)) != 0).then(|| {
                self.next += 1;
                f64::from_bits(self.words[self.next - 1])
            }));
        }
    }
}

/// Pack a row into one block of exactly its words.
fn pack(row: &RepMetrics) -> Box<[u64]> {
    let mut words = Vec::new();
    pack_into(row, &mut words);
    Box::from(&words[..])
}

/// The fields of a row in packing order, each named once: the scalars with the method that
/// packs and unpacks their kind, then the columns likewise. `$then!` receives the list and
/// writes [`pack_into`], [`unpack_into`] and the counts from it.
macro_rules! row_fields {
    ($then:ident) => {
        $then! {
            scalars: [
                outage_minutes: f64,
                degraded_minutes: f64,
                availability: f64,
                incidents: u64,
                outages: u64,
                averted: u64,
                escalations: u64,
                false_alarms: u64,
                mttd_minutes: option,
                mttr_minutes: option,
                labor_hours: f64,
                downtime_cost: f64,
                degraded_cost: f64,
                labor_cost: f64,
                investment_cost: f64,
                total_cost: f64,
                pages: u64,
                pages_asleep: u64,
                standby_cost: f64,
                tickets: u64,
                tickets_deflected: u64,
                fixed_labor_cost: f64,
                sla_breaches: u64,
                sla_penalty_cost: f64,
                workarounds: u64,
                recurrences: u64,
                problems_fixed: u64,
                inherited_outage_minutes: f64,
                maintenance_hours: f64,
                planned_minutes: f64,
                planned_cost: f64,
                changes: u64,
                change_failures: u64,
                symptom_incidents: u64,
                symptom_hours: f64,
            ],
            // In [`Column`]'s order.
            columns: [
                tier_pages: u64_column,
                tier_pages_asleep: u64_column,
                tier_busy_minutes: f64_column,
                tier_queue_wait_minutes: option_column,
                service_outage_minutes: f64_column,
                service_inherited_outage_minutes: f64_column,
                service_root_cause_cost: f64_column,
            ],
        }
    };
}

/// Writes the packing code from [`row_fields`]. Every field is destructured by name (no
/// `..`), so a field added to [`RepMetrics`] does not compile until it is in the list.
macro_rules! packing_code {
    (
        scalars: [$($scalar:ident: $scalar_kind:ident,)*],
        columns: [$($column:ident: $column_kind:ident,)*],
    ) => {
        const SCALARS: u32 = [$(stringify!($scalar)),*].len() as u32;
        const COLUMNS: u32 = [$(stringify!($column)),*].len() as u32;

        /// Pack a row into `words` (emptied first).
        fn pack_into(row: &RepMetrics, words: &mut Vec<u64>) {
            let RepMetrics { $($scalar,)* $($column,)* } = row;
            // A column of `Option`s adds its presence words: the slack covers a few.
            let values = 0 $(+ $column.len())*;
            words.clear();
            words.reserve(1 + SCALARS as usize + COLUMNS as usize * 2 + values);
            let mut p = Packer { words, index: 0 };
            p.words.push(0);
            $(p.$scalar_kind(*$scalar);)*
            debug_assert_eq!(p.index, SCALARS);
            $(p.$column_kind($column);)*
            debug_assert_eq!(p.index, SCALARS + COLUMNS);
        }

        /// Unpack a row [`pack`] made into `row`, field by field in the packing order,
        /// reusing its columns' buffers; without `columns`, the scalars only (the columns are
        /// left as they are).
        #[inline]
        fn unpack_into(words: &[u64], row: &mut RepMetrics, columns: bool) {
            let mut u = Unpacker::new(words);
            let RepMetrics { $($scalar,)* $($column,)* } = row;
            $(*$scalar = u.$scalar_kind();)*
            debug_assert_eq!(u.index, SCALARS);
            if !columns {
                return;
            }
            $(u.$column_kind($column);)*
            debug_assert_eq!((u.index, u.next), (SCALARS + COLUMNS, words.len()));
        }
    };
}

row_fields!(packing_code);

/// Unpack a row [`pack`] made.
fn unpack(words: &[u64]) -> RepMetrics {
    let mut row = RepMetrics::default();
    unpack_into(words, &mut row, true);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row with every field set from `serde_json`'s view of the struct: each number a
    /// different non-zero value, each column a few values. Built through serde, so a field
    /// added to `RepMetrics` is covered here without editing this test.
    fn every_field_set(seed: u64) -> RepMetrics {
        let template = serde_json::to_value(RepMetrics::default()).unwrap();
        let mut n = seed;
        let mut next = || {
            n += 1;
            n
        };
        let mut map = serde_json::Map::new();
        for (name, value) in template.as_object().unwrap() {
            let v = match value {
                serde_json::Value::Array(_) if name == "tier_queue_wait_minutes" => {
                    serde_json::json!([next() as f64 + 0.5, null, -0.0, next()])
                }
                serde_json::Value::Array(_) if name.starts_with("tier_pages") => {
                    serde_json::json!([next(), 0, next()])
                }
                serde_json::Value::Array(_) => serde_json::json!([next() as f64 * 1.25, -0.0]),
                serde_json::Value::Null => serde_json::json!(next() as f64 / 3.0),
                serde_json::Value::Number(_)
                    if name.ends_with("minutes")
                        || name.ends_with("cost")
                        || name.ends_with("hours")
                        || name == "availability" =>
                {
                    serde_json::json!(next() as f64 / 7.0)
                }
                serde_json::Value::Number(_) => serde_json::json!(next()),
                other => panic!("a field of unexpected type: {name} = {other}"),
            };
            map.insert(name.clone(), v);
        }
        serde_json::from_value(serde_json::Value::Object(map)).unwrap()
    }

    fn same_bits(a: &RepMetrics, b: &RepMetrics) {
        // Bits, not `==`: −0.0 and NaN must come back as they went in.
        let bits = |r: &RepMetrics| {
            let mut s = serde_json::to_string(r).unwrap();
            s.push_str(&format!(
                "{:?}",
                r.service_outage_minutes.iter().map(|v| v.to_bits())
            ));
            s
        };
        assert_eq!(bits(a), bits(b));
    }

    #[test]
    fn a_row_with_every_field_set_comes_back_bit_for_bit() {
        for seed in [0, 100, 1 << 40] {
            let row = every_field_set(seed);
            let back = unpack(&pack(&row));
            assert_eq!(back, row);
            same_bits(&back, &row);
        }
    }

    #[test]
    fn zeros_negative_zeros_nans_and_absent_values_keep_their_bits() {
        let row = RepMetrics {
            outage_minutes: -0.0,
            degraded_minutes: f64::NAN,
            mttd_minutes: Some(0.0),
            mttr_minutes: None,
            service_outage_minutes: vec![0.0, -0.0, f64::INFINITY],
            tier_queue_wait_minutes: (0..130).map(|i| (i % 3 == 0).then_some(i as f64)).collect(),
            ..RepMetrics::default()
        };
        let back = unpack(&pack(&row));
        assert_eq!(back.outage_minutes.to_bits(), (-0.0f64).to_bits());
        assert!(back.degraded_minutes.is_nan());
        assert_eq!(back.mttd_minutes, Some(0.0));
        assert_eq!(back.mttr_minutes, None);
        let bits: Vec<u64> = back
            .service_outage_minutes
            .iter()
            .map(|v| v.to_bits())
            .collect();
        assert_eq!(bits, [0, (-0.0f64).to_bits(), f64::INFINITY.to_bits()]);
        assert_eq!(back.tier_queue_wait_minutes, row.tier_queue_wait_minutes);
    }

    #[test]
    fn an_empty_row_is_its_header_and_zeros_cost_nothing() {
        let row = RepMetrics::default();
        assert_eq!(&*pack(&row), &[0]);
        assert_eq!(unpack(&pack(&row)), row);
        let mut one = row.clone();
        one.total_cost = 2.0;
        one.service_outage_minutes = vec![1.0, 0.0];
        assert_eq!(pack(&one).len(), 1 + 1 + 1 + 2);
    }

    #[test]
    fn rows_serialize_as_the_list_of_rows_they_hold() {
        let rows: Vec<RepMetrics> = (0..5).map(|i| every_field_set(i * 50)).collect();
        let packed = Rows::from(rows.clone());
        assert_eq!(packed.len(), 5);
        assert_eq!(packed.iter().collect::<Vec<_>>(), rows);
        assert_eq!(packed.row(3), rows[3]);
        let json = serde_json::to_string(&packed).unwrap();
        assert_eq!(json, serde_json::to_string(&rows).unwrap());
        let back: Rows = serde_json::from_str(&json).unwrap();
        assert_eq!(back, packed);
    }

    #[test]
    fn update_changes_each_row_and_keeps_the_rest() {
        let rows: Vec<RepMetrics> = (0..3).map(|i| every_field_set(i * 50)).collect();
        let mut packed = Rows::from(rows.clone());
        packed.update(|r| r.total_cost *= 2.0);
        for (i, r) in packed.iter().enumerate() {
            let mut expected = rows[i].clone();
            expected.total_cost *= 2.0;
            assert_eq!(r, expected);
        }
    }

    #[test]
    fn every_metric_reads_the_same_from_the_scalars_alone() {
        let rows = Rows::from((0..3).map(|i| every_field_set(i * 50)).collect::<Vec<_>>());
        for metric in crate::metrics::Metric::all() {
            let whole: Vec<_> = rows.values(|r| metric.value(r)).collect();
            let scalars: Vec<_> = rows.scalars(|r| metric.value(r)).collect();
            assert_eq!(whole, scalars, "{}", metric.name());
            assert!(whole.iter().all(Option::is_some), "{}", metric.name());
        }
    }

    #[test]
    fn metric_values_are_the_metrics_of_the_unpacked_rows() {
        let mut rows: Vec<RepMetrics> = (0..4).map(|i| every_field_set(i * 50)).collect();
        rows.push(RepMetrics::default());
        rows[1].mttr_minutes = None;
        rows[2].total_cost = -0.0;
        let packed = Rows::from(rows.clone());
        let mut direct = 0;
        for metric in Metric::all() {
            let expected: Vec<_> = rows
                .iter()
                .map(|r| metric.value(r).map(f64::to_bits))
                .collect();
            let found: Vec<_> = packed
                .metric_values(metric)
                .map(|v| v.map(f64::to_bits))
                .collect();
            assert_eq!(found, expected, "{}", metric.name());
            direct += usize::from(direct_read(metric).is_some());
        }
        // Every metric of the registry reads one field as it is today; a formula would be
        // read from the unpacked row, and still pass the check above.
        assert_eq!(direct, Metric::all().count());
        assert_eq!(
            direct_read(Metric::TOTAL_COST),
            Some((15, ScalarKind::Float))
        );
    }

    #[test]
    fn formulas_are_not_taken_for_a_field() {
        // What a probe with every other field zero and small values would have accepted.
        let formulas: [fn(&RepMetrics) -> Option<f64>; 6] = [
            |r| Some(r.total_cost / r.incidents.max(1) as f64),
            |r| Some(r.total_cost.min(1e9)),
            |r| Some(r.outage_minutes * (1 + r.outages) as f64),
            |r| Some(r.total_cost + r.labor_cost),
            |r| Some(r.total_cost.abs()),
            |_| Some(1.0),
        ];
        for (i, formula) in formulas.into_iter().enumerate() {
            assert_eq!(direct_read_of(formula), None, "formula {i}");
        }
        let plain: [fn(&RepMetrics) -> Option<f64>; 3] = [
            |r| Some(r.total_cost),
            |r| Some(r.incidents as f64),
            |r| r.mttr_minutes,
        ];
        let found: Vec<_> = plain.into_iter().map(direct_read_of).collect();
        assert_eq!(
            found,
            [
                Some((15, ScalarKind::Float)),
                Some((3, ScalarKind::Count)),
                Some((9, ScalarKind::Optional))
            ]
        );
    }

    #[test]
    fn column_values_read_what_the_unpacked_rows_hold() {
        let mut rows: Vec<RepMetrics> = (0..4).map(|i| every_field_set(i * 50)).collect();
        // Shapes that move the columns: an empty one, a long `Option` column with gaps.
        rows[1].tier_pages.clear();
        rows[2].tier_queue_wait_minutes =
            (0..100).map(|i| (i % 7 != 0).then_some(i as f64)).collect();
        rows[3].service_outage_minutes = vec![3.5; 9];
        rows[3].service_inherited_outage_minutes.clear();
        let packed = Rows::from(rows.clone());
        let waits: Vec<Vec<Option<u64>>> = rows
            .iter()
            .map(|r| {
                r.tier_queue_wait_minutes
                    .iter()
                    .map(|v| v.map(f64::to_bits))
                    .collect()
            })
            .collect();
        for i in 0..110 {
            let expected: Vec<Option<u64>> =
                waits.iter().map(|w| w.get(i).copied().flatten()).collect();
            let found: Vec<Option<u64>> = packed
                .column_values(Column::TierQueueWaitMinutes, i)
                .map(|v| v.map(f64::to_bits))
                .collect();
            assert_eq!(found, expected, "wait {i}");
        }
        type Read = fn(&RepMetrics) -> Vec<f64>;
        let columns: [(Column, Read); 6] = [
            (Column::TierPages, |r| {
                r.tier_pages.iter().map(|&v| v as f64).collect()
            }),
            (Column::TierPagesAsleep, |r| {
                r.tier_pages_asleep.iter().map(|&v| v as f64).collect()
            }),
            (Column::TierBusyMinutes, |r| r.tier_busy_minutes.clone()),
            (Column::ServiceOutageMinutes, |r| {
                r.service_outage_minutes.clone()
            }),
            (Column::ServiceInheritedOutageMinutes, |r| {
                r.service_inherited_outage_minutes.clone()
            }),
            (Column::ServiceRootCauseCost, |r| {
                r.service_root_cause_cost.clone()
            }),
        ];
        for (column, read) in columns {
            for i in 0..10 {
                let expected: Vec<Option<u64>> = rows
                    .iter()
                    .map(|r| read(r).get(i).map(|v| v.to_bits()))
                    .collect();
                let found: Vec<Option<u64>> = packed
                    .column_values(column, i)
                    .map(|v| v.map(f64::to_bits))
                    .collect();
                assert_eq!(found, expected, "{column:?} {i}");
            }
        }
    }

    #[test]
    fn the_largest_packed_row_of_a_shape_is_its_bound() {
        let mut row = every_field_set(7);
        row.tier_pages = vec![1; 5];
        row.tier_pages_asleep = vec![1; 5];
        row.tier_busy_minutes = vec![1.0; 5];
        row.tier_queue_wait_minutes = vec![Some(1.0); 70];
        row.service_outage_minutes = vec![1.0; 70];
        row.service_inherited_outage_minutes = vec![1.0; 70];
        row.service_root_cause_cost = Vec::new();
        assert_eq!(pack(&row).len() * 8, Rows::packed_bytes_at_most(&row));
        // Zeros and absent waits only make it smaller.
        let mut sparse = row.clone();
        sparse.total_cost = 0.0;
        sparse.tier_queue_wait_minutes[3] = None;
        assert!(pack(&sparse).len() * 8 < Rows::packed_bytes_at_most(&row));
    }
}
