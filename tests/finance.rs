//! The business case (issue 16): `[finance]` parsed through the field registry, cash flows and
//! NPV in the report and summary.json, and today's figures without `[finance]`.

use incsim::experiment::run_replications;
use incsim::finance::CaseInputs;
use incsim::report::Report;
use incsim::scenario::{DEFAULT_SCENARIO_TOML, Scenario, parse_str};

fn run(s: &Scenario) -> Report {
    let results = run_replications(s, 0..s.simulation.replications, &mut |_| {});
    Report::build(s, &results)
}

/// The batch-1 built-in scenario (a help desk that lets night outages wait for the morning):
/// its savings are implausibly large, which is what the warnings are for.
fn batch_1_scenario(replications: u64) -> Scenario {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/mail-server-v1.toml"),
    )
    .expect("tests/golden/mail-server-v1.toml");
    let mut s = parse_str(&text, "mail-server-v1").expect("batch-1 scenario");
    s.simulation.replications = replications;
    s
}

fn default_scenario(replications: u64) -> Scenario {
    let mut s = parse_str(DEFAULT_SCENARIO_TOML, "default").expect("built-in scenario");
    s.simulation.replications = replications;
    s
}

/// The built-in scenario's text with `[finance]` and the proactive strategy's business-case
/// fields added.
fn with_finance(extra_strategy_lines: &str, finance: &str) -> String {
    let text = DEFAULT_SCENARIO_TOML.replacen(
        "[strategies.proactive]\n",
        &format!("[strategies.proactive]\n{extra_strategy_lines}\n"),
        1,
    );
    assert_ne!(
        text, DEFAULT_SCENARIO_TOML,
        "the built-in scenario has a proactive table"
    );
    format!("{text}\n{finance}\n")
}

#[test]
fn without_finance_the_business_case_is_todays_annual_figure() {
    let report = run(&default_scenario(40));
    for b in &report.budgets {
        // One year, no discounting, no one-time cost: NPV is the net savings per year.
        assert_eq!(b.case.npv, b.savings_per_year);
        assert_eq!(b.case.cash_flows.len(), 2);
        assert_eq!(b.case.cash_flows[0].net, 0.0);
        assert_eq!(b.case.cash_flows[1].net, b.savings_per_year);
        let json = report.to_json();
        let entry = &json["budget"][0];
        assert_eq!(entry["npv"], entry["savings_per_year"]);
    }
}

#[test]
fn finance_fields_are_read_and_give_the_hand_computed_cash_flows() {
    let text = with_finance(
        "one_time_cost = 50000\nramp_up = [0.5, 1.0, 1.0]",
        "[finance]\nyears = 3\ndiscount_rate = 0.10",
    );
    let mut s = parse_str(&text, "finance").expect("scenario with [finance]");
    assert_eq!(s.finance.years, 3);
    assert_eq!(s.finance.discount_rate, 0.10);
    let proactive = s
        .strategies
        .iter()
        .position(|x| x.name == "proactive")
        .unwrap();
    assert_eq!(s.strategies[proactive].one_time_cost, 50_000.0);
    assert_eq!(s.strategies[proactive].ramp_up, vec![0.5, 1.0, 1.0]);
    s.simulation.replications = 40;
    let report = run(&s);
    let b = &report.budgets[0];
    // By hand from the run's own mean savings S and recurring cost I = 60 000 (reactive: 0):
    // gross G = S + I; flows −50 000, 0.5 G − I, S, S; NPV = Σ CF_t / 1.1^t.
    let (sv, inv) = (b.savings_per_year, 60_000.0);
    let g = sv + inv;
    let expected = -50_000.0 + (0.5 * g - inv) / 1.1 + sv / 1.21 + sv / 1.331;
    assert!(
        (b.case.npv - expected).abs() < 0.005,
        "{} vs {expected}",
        b.case.npv
    );
    let nets: Vec<f64> = b.case.cash_flows.iter().map(|f| f.net).collect();
    assert_eq!(nets.len(), 4);
    assert!((nets[1] - (0.5 * g - inv)).abs() < 1e-6);
    assert_eq!(nets[2], sv);
    // The replication paths bracket the NPV and P(NPV > 0) is a share.
    assert!(b.case.npv_p10 <= b.case.npv_p90);
    assert!((0.0..=1.0).contains(&b.case.p_npv_positive));
    let json = report.to_json();
    let entry = &json["budget"][0];
    assert_eq!(entry["cash_flows"].as_array().unwrap().len(), 4);
    for key in ["npv", "npv_p10", "npv_p90", "p_npv_positive"] {
        assert!(entry[key].is_number(), "{key}");
    }
}

#[test]
fn npv_without_one_time_cost_is_savings_times_the_annuity_factor_exactly() {
    let mut s = default_scenario(30);
    s.finance.years = 3;
    s.finance.discount_rate = 0.10;
    let report = run(&s);
    let b = &report.budgets[0];
    let annuity = CaseInputs {
        savings_per_year: b.savings_per_year,
        recurring_cost_per_year: 0.0,
        one_time_cost: 0.0,
        ramp_up: &[],
        years: 3,
        discount_rate: 0.10,
    }
    .annuity_factor();
    assert!((annuity - (1.0 / 1.1 + 1.0 / 1.21 + 1.0 / 1.331)).abs() < 1e-12);
    assert_eq!(b.case.npv, b.savings_per_year * annuity);
}

#[test]
fn a_ramp_up_of_the_wrong_length_is_refused_with_the_field_and_a_fix() {
    let text = with_finance("ramp_up = [0.5, 1.0]", "[finance]\nyears = 3");
    let err = parse_str(&text, "finance").unwrap_err().to_string();
    assert!(err.contains("strategies.proactive.ramp_up"), "{err}");
    assert!(err.contains("one share per year"), "{err}");
    let text = with_finance("ramp_up = [50, 1.0, 1.0]", "[finance]\nyears = 3");
    let err = parse_str(&text, "finance").unwrap_err().to_string();
    assert!(err.contains("0.5 for 50 %"), "{err}");
    let text = with_finance("", "[finance]\nyears = 0\ndiscount_rate = 10");
    let err = parse_str(&text, "finance").unwrap_err().to_string();
    assert!(
        err.contains("finance.years") && err.contains("finance.discount_rate"),
        "{err}"
    );
}

#[test]
fn the_loss_exceedance_curve_is_the_share_of_replications_with_a_larger_annual_loss() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(["run", "scenarios/default.toml", "--replications", "60"])
        .args(["--threads", "2", "--quiet", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run incsim");
    assert!(status.success());
    for chart in ["loss_exceedance.svg", "loss_exceedance.png"] {
        assert!(out.join(chart).is_file(), "{chart}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let per_year = 525_600.0 / summary["horizon_minutes"].as_f64().unwrap();
    let csv = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (strategy, downtime, labor) = (col("strategy"), col("downtime_cost"), col("labor_cost"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let curves = summary["loss_exceedance"].as_object().unwrap();
    assert_eq!(curves.len(), 2);
    for (name, points) in curves {
        // The same arithmetic as the report, on the CSV's round-trip numbers.
        let losses: Vec<f64> = rows
            .iter()
            .filter(|r| r[strategy] == name)
            .map(|r| {
                (r[downtime].parse::<f64>().unwrap() + r[labor].parse::<f64>().unwrap()) * per_year
            })
            .collect();
        assert_eq!(losses.len(), 60);
        let points = points.as_array().unwrap();
        assert!(points.len() > 2, "{name}");
        for p in points {
            let (x, share) = (p["x"].as_f64().unwrap(), p["p"].as_f64().unwrap());
            let above = losses.iter().filter(|&&l| l > x).count() as f64 / 60.0;
            assert_eq!(share, above, "{name} at {x}");
        }
    }
}

#[test]
fn at_the_break_even_annual_cost_the_simulated_savings_are_zero() {
    // Annual cost enters the candidate's total linearly, so the break-even computed from one
    // run is where a second run, with the annual cost set to it, finds no net savings.
    let s = default_scenario(40);
    let report = run(&s);
    let b = &report.budgets[0];
    let proactive = s.strategy_index("proactive").unwrap();
    // No [finance]: break-even = today's annual cost + net savings.
    let expected = s.strategies[proactive].annual_cost + b.savings_per_year;
    assert!((b.case.break_even_annual_cost - expected).abs() < 1e-6);
    let mut at = s.clone();
    at.strategies[proactive].annual_cost = b.case.break_even_annual_cost;
    let again = run(&at);
    assert!(
        again.budgets[0].savings_per_year.abs() < 1e-3,
        "{}",
        again.budgets[0].savings_per_year
    );
    assert!(again.budgets[0].case.npv.abs() < 1e-3);
}

#[test]
fn with_finance_the_break_even_annual_cost_zeroes_the_npv() {
    let text = with_finance(
        "one_time_cost = 50000\nramp_up = [0.5, 1.0, 1.0]",
        "[finance]\nyears = 3\ndiscount_rate = 0.10",
    );
    let mut s = parse_str(&text, "finance").unwrap();
    s.simulation.replications = 30;
    let b = run(&s).budgets[0].clone();
    let proactive = s.strategy_index("proactive").unwrap();
    s.strategies[proactive].annual_cost = b.case.break_even_annual_cost;
    let npv = run(&s).budgets[0].case.npv;
    assert!(npv.abs() < 1e-3, "{npv}");
}

/// The built-in scenario with a third strategy: reactive with fixes a fifth faster for a token
/// annual cost — a huge ROI on smaller savings.
fn with_a_cheap_candidate() -> Scenario {
    let mut s = default_scenario(60);
    let reactive = s.strategy_index("reactive").unwrap();
    let mut cheap = s.strategies[reactive].clone();
    cheap.name = "cheap-tweak".into();
    cheap.fix_multiplier *= 0.8;
    cheap.annual_cost = 1_000.0;
    s.strategies.push(cheap);
    s
}

#[test]
fn candidates_are_ranked_by_npv_not_by_roi() {
    let s = with_a_cheap_candidate();
    let report = run(&s);
    let by_name = |n: &str| report.budgets.iter().find(|b| b.candidate == n).unwrap();
    let (cheap, proactive) = (by_name("cheap-tweak"), by_name("proactive"));
    // The premise: the cheap tweak has the better ROI and the smaller NPV.
    assert!(cheap.roi.unwrap() > proactive.roi.unwrap());
    assert!(cheap.case.npv < proactive.case.npv);
    let ranked: Vec<&str> = report
        .ranking()
        .into_iter()
        .map(|i| report.budgets[i].candidate.as_str())
        .collect();
    assert_eq!(ranked, ["proactive", "cheap-tweak"]);
    assert_eq!(
        report.to_json()["ranking"],
        serde_json::json!(["proactive", "cheap-tweak"])
    );
}

#[test]
fn the_compact_sensitivity_simulates_no_more_than_the_main_run_and_ranks_by_swing() {
    let s = default_scenario(200);
    let proactive = s.strategy_index("proactive").unwrap();
    let mut simulated = 0;
    let a = incsim::experiment::compact::run(&s, proactive, 200, &mut |d| simulated += d)
        .expect("analysis");
    assert!(a.replications() <= 200, "{}", a.replications());
    // Every replication simulated is counted once per strategy run.
    assert_eq!(simulated, a.replications());
    assert!(!a.result.rows.is_empty());
    assert!(a.result.rows.iter().all(|r| r.swing > 0.0 && !r.unchanged));
    assert!(a.result.rows.windows(2).all(|w| w[0].swing >= w[1].swing));
    // Inputs at 0 (reactive's annual cost) cannot move and are left out.
    assert!(
        a.result
            .rows
            .iter()
            .all(|r| r.parameter.path != "strategies.reactive.annual_cost")
    );
}

#[test]
fn warnings_name_the_inputs_that_drive_an_implausible_result() {
    let s = batch_1_scenario(60);
    let report = run(&s);
    // The batch-1 built-in scenario: about $900k/yr saved for $60k/yr — ROI above 1,000 %,
    // payback under a month.
    let warnings = incsim::export::warnings::warnings(&s, &report, None);
    let kinds: Vec<&str> = warnings.iter().map(|w| w.kind).collect();
    assert!(
        kinds.contains(&"roi") && kinds.contains(&"payback"),
        "{kinds:?}"
    );
    for w in &warnings {
        assert_eq!(w.candidate, "proactive");
        assert_eq!(w.inputs[0], "strategies.proactive.annual_cost");
        assert!(
            w.inputs
                .contains(&"services.email.downtime_cost_per_hour".to_string())
        );
        for input in &w.inputs {
            assert!(w.text.contains(input.as_str()), "{}", w.text);
        }
    }
    // Twenty times the investment: ROI and payback are plausible, no warning about them.
    let mut dear = s.clone();
    let p = dear.strategy_index("proactive").unwrap();
    dear.strategies[p].annual_cost = 600_000.0;
    let report = run(&dear);
    let kinds: Vec<&'static str> = incsim::export::warnings::warnings(&dear, &report, None)
        .iter()
        .map(|w| w.kind)
        .collect();
    assert!(
        !kinds.contains(&"roi") && !kinds.contains(&"payback"),
        "{kinds:?}"
    );
}

#[test]
fn a_candidate_never_worse_in_any_replication_is_flagged() {
    // Proactive with fixes ten times faster and no investment cannot lose in a replication.
    let mut s = default_scenario(30);
    let p = s.strategy_index("proactive").unwrap();
    s.strategies[p].annual_cost = 0.0;
    s.strategies[p].fix_multiplier = 0.08;
    let report = run(&s);
    let series = &report.charts.savings[0].savings_per_year;
    assert!(series.iter().all(|&x| x >= 0.0), "premise");
    let warnings = incsim::export::warnings::warnings(&s, &report, None);
    assert!(warnings.iter().any(|w| w.kind == "never_worse"));
}

#[test]
fn sources_are_read_shown_in_the_assumptions_and_misspelt_paths_refused() {
    let text = format!(
        "{DEFAULT_SCENARIO_TOML}\n[sources]\n\"services.email.downtime_cost_per_hour\" = \"Finance, 2025 revenue per hour × 0.4\"\n\"simulation.horizon\" = \"one budget year\"\n"
    );
    let mut s = parse_str(&text, "sources").expect("scenario with sources");
    assert_eq!(
        s.sources
            .get("services.email.downtime_cost_per_hour")
            .map(String::as_str),
        Some("Finance, 2025 revenue per hour × 0.4")
    );
    s.simulation.replications = 20;
    let results = run_replications(&s, 0..20, &mut |_| {});
    let (_, files) = incsim::export::bundle::run_outputs(&s, &results).unwrap();
    let html = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "report.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let table = &html[html.find("id=\"inputs-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("<th>source</th>"));
    let row = |path: &str| {
        let at = table.find(&format!("<code>{path}</code>")).unwrap();
        &table[at..at + table[at..].find("</tr>").unwrap()]
    };
    assert!(row("services.email.downtime_cost_per_hour").contains("Finance, 2025 revenue"));
    assert!(row("services.email.degraded_cost_fraction").contains("not given"));
    assert!(row("simulation.horizon").contains("one budget year"));

    let bad = text.replace("\"services.email.downtime", "\"services.emial.downtime");
    let err = parse_str(&bad, "sources").unwrap_err().to_string();
    assert!(
        err.contains("services.emial.downtime_cost_per_hour"),
        "{err}"
    );
    assert!(
        err.contains("did you mean \"services.email.downtime_cost_per_hour\"?"),
        "{err}"
    );
    let not_text = text.replace("\"one budget year\"", "2025");
    let err = parse_str(&not_text, "sources").unwrap_err().to_string();
    assert!(err.contains("expected text in quotes"), "{err}");
}

fn run_cli(args: &[&str], out: &std::path::Path) {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_incsim"))
        .args(args)
        .args(["--threads", "2", "--quiet", "--out"])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run incsim");
    assert!(status.success());
}

#[test]
fn run_puts_the_tornado_and_break_even_in_the_report_unless_told_not_to() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    // The batch-1 scenario, whose implausible ROI raises warnings that name their drivers.
    run_cli(
        &["run", "tests/golden/mail-server-v1.toml", "-n", "120"],
        &out,
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(html.contains("data-chart=\"tornado\""));
    assert!(html.contains("class=\"break-even\""));
    assert!(out.join("tornado.svg").is_file() && out.join("tornado.png").is_file());
    let a = &summary["sensitivity"];
    let (runs, per) = (
        a["runs"].as_u64().unwrap(),
        a["replications_per_run"].as_u64().unwrap(),
    );
    assert!(runs * per <= 120, "{runs} × {per}");
    assert_eq!(a["candidate"], "proactive");
    let swings: Vec<f64> = a["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["swing"].as_f64().unwrap())
        .collect();
    assert!(swings.iter().all(|&s| s > 0.0));
    assert!(swings.windows(2).all(|w| w[0] >= w[1]));
    // The drivers named by the warnings come from the tornado.
    let first_driver = a["inputs"][0]["parameter"].as_str().unwrap();
    assert!(
        summary["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["text"].as_str().unwrap().contains(first_driver))
    );

    // --no-sensitivity: same figures, no analysis, and the earlier tornado is gone.
    run_cli(
        &[
            "run",
            "tests/golden/mail-server-v1.toml",
            "-n",
            "120",
            "--no-sensitivity",
        ],
        &out,
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(!html.contains("data-chart=\"tornado\""));
    assert!(html.contains("--no-sensitivity"));
    assert!(again.get("sensitivity").is_none());
    assert_eq!(again["budget"], summary["budget"]);
    assert!(!out.join("tornado.svg").exists());
}

#[test]
fn the_sensitivity_reads_the_same_savings_as_the_report_to_the_bit() {
    let s = with_a_cheap_candidate();
    let results = run_replications(&s, 0..s.simulation.replications, &mut |_| {});
    let report = Report::build(&s, &results);
    for b in &report.budgets {
        let i = s.strategy_index(&b.candidate).unwrap();
        assert_eq!(
            incsim::report::savings_per_year(&s, &results, i).to_bits(),
            b.savings_per_year.to_bits()
        );
    }
}
