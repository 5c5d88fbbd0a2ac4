//! A run of some strategies with their common draws shared (`Simulator::run_strategies`, what
//! `select` simulates each stage) gives every strategy exactly the history it has alone: the
//! same events, in the same order, for every shipped scenario, whatever subset and order.

use incsim::events::EventVec;
use incsim::model::Simulator;
use incsim::scenario::load;

#[test]
fn a_subset_of_strategies_in_any_order_gives_each_its_own_history() {
    let mut dir: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    dir.sort();
    assert!(dir.len() >= 10, "the shipped scenarios");
    for path in dir {
        let mut s = load(&path).unwrap();
        // Short horizons keep the test quick; recurrences, changes and symptoms still occur.
        s.simulation.horizon_minutes = s.simulation.horizon_minutes.min(60.0 * 1440.0);
        let k = s.strategies.len();
        let orders: Vec<Vec<usize>> = vec![(0..k).rev().collect(), vec![k - 1], (0..k).collect()];
        let mut sim = Simulator::new();
        for rep in 0..3 {
            let alone: Vec<String> = (0..k)
                .map(|i| {
                    let mut events = EventVec::default();
                    Simulator::new().run(&s, i, rep, &mut events);
                    format!("{:?}", events.0)
                })
                .collect();
            for which in &orders {
                let mut sink = EventVec::default();
                let mut seen = Vec::new();
                sim.run_strategies(
                    &s,
                    which.iter().copied(),
                    rep,
                    &mut sink,
                    |position, sink, stats| {
                        assert_eq!(stats.events as usize, sink.0.len());
                        seen.push((position, format!("{:?}", sink.0)));
                        sink.0.clear();
                    },
                );
                assert_eq!(seen.len(), which.len());
                for (position, events) in seen {
                    assert!(
                        events == alone[which[position]],
                        "{}: rep {rep}, strategy {} in order {which:?}",
                        path.display(),
                        which[position]
                    );
                }
            }
        }
    }
}
