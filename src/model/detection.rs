//! Detection (docs/model.md §2, rules 3, 4, 9): degradation monitoring, uptime checks and user
//! reports race to open the incident; the detection path decides the tier it lands at. Also
//! the strategy's false alarms, one Poisson process from a unit-rate stream.

use super::{Ctx, Simulator, Timer};
use crate::events::{Detection, EventKind, EventSink, ServiceId, TierId, WorkItem};
use crate::rng::{self as streams, Purpose};
use crate::scenario::{MINUTES_PER_WEEK, Minutes};

impl Simulator {
    /// A degrading failure started at `t`: schedule its catch by monitoring, if any.
    #[inline(always)]
    pub(super) fn watch_degradation(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let f = self.services[service as usize].failure;
        // Rule 3: caught iff the coin says so and detection comes strictly before the outage.
        if let Some(mon) = &ctx.strategy.monitoring
            && f.coverage_coin < mon.coverage
            && f.detect_delay < f.warning
        {
            self.scheduler
                .schedule(t + f.detect_delay, Timer::DegradationCaught { service });
        }
    }

    /// An undetected outage began at `t`: schedule the first of the uptime check and the user
    /// report.
    #[inline(always)]
    pub(super) fn watch_outage(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let report_delay = self.services[service as usize].failure.report_delay;
        // Rule 3: at outage start + min(outage_detect, report_delay); ties go to monitoring.
        let (delay, detection) = match &ctx.strategy.monitoring {
            Some(mon) if mon.outage_detect <= report_delay => {
                (mon.outage_detect, Detection::OutageCheck)
            }
            _ => (report_delay, Detection::UserReport),
        };
        self.scheduler
            .schedule(t + delay, Timer::OutageDetected { service, detection });
    }

    #[inline(always)]
    pub(super) fn degradation_caught<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        sink: &mut S,
    ) {
        let incident = self.incident(service);
        self.emit(sink, t, EventKind::DegradationDetected { incident });
        self.detect(ctx, t, service, Detection::Degradation, sink);
    }

    /// The incident is detected at `t` by `detection`: the ticket opens at the tier the
    /// detection path leads to (rule 4) and enters its queue.
    #[inline(always)]
    pub(super) fn detect<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        detection: Detection,
        sink: &mut S,
    ) {
        let state = &mut self.services[service as usize];
        if !state.open || state.detected {
            return;
        }
        state.detected = true;
        let routing_coin = state.failure.routing_coin;
        let mode = state.failure.mode;
        let incident = self.incident(service);
        let (tier, routed_direct) = match detection {
            Detection::UserReport => {
                self.emit(sink, t, EventKind::UserReported { incident });
                (0, false)
            }
            Detection::Degradation | Detection::OutageCheck => {
                self.emit(
                    sink,
                    t,
                    EventKind::AlertFired {
                        incident,
                        detection,
                    },
                );
                let alert_tier = ctx.strategy.alert_tier;
                // Rule 4: a known signature goes straight to whoever owns it.
                if routing_coin < ctx.strategy.route_direct {
                    let needs = ctx.scenario.services[service as usize].modes[mode as usize].needs;
                    (needs, needs != alert_tier)
                } else {
                    (alert_tier, false)
                }
            }
        };
        let tier = tier as TierId;
        self.emit(
            sink,
            t,
            EventKind::IncidentOpened {
                incident,
                detection,
                tier,
                routed_direct,
            },
        );
        self.enqueue(ctx, t, WorkItem::Incident(incident), tier, sink);
        self.root_detected(ctx, t, service, sink);
    }

    /// Rule 9: one Poisson process of false alarms per strategy with monitoring, from t = 0.
    pub(super) fn start_false_alarms(&mut self, ctx: &Ctx) {
        if let Some(rate) = alarm_rate_per_minute(ctx) {
            self.alarm_rng = Some(streams::stream(
                ctx.seed,
                ctx.rep,
                Purpose::FalseAlarms,
                0,
                0,
            ));
            let gap = self.next_alarm_gap(rate);
            self.scheduler.schedule(gap, Timer::FalseAlarm);
        }
    }

    /// A false alarm is raised at `t`: triage work at the alert tier; the next one is drawn.
    pub(super) fn false_alarm<S: EventSink>(&mut self, ctx: &Ctx, t: Minutes, sink: &mut S) {
        let alarm = self.next_alarm;
        self.next_alarm += 1;
        self.emit(sink, t, EventKind::FalseAlarm { alarm });
        let tier = ctx.strategy.alert_tier as TierId;
        self.enqueue(ctx, t, WorkItem::FalseAlarm(alarm), tier, sink);
        if let Some(rate) = alarm_rate_per_minute(ctx) {
            let gap = self.next_alarm_gap(rate);
            self.scheduler.schedule(t + gap, Timer::FalseAlarm);
        }
    }

    /// The next gap of the unit-rate alarm stream, divided by this strategy's rate.
    fn next_alarm_gap(&mut self, rate: f64) -> Minutes {
        let rng = self
            .alarm_rng
            .as_mut()
            .expect("alarm stream set when rate > 0");
        let u = streams::uniform(rng);
        -(1.0 - u).ln() / rate
    }
}

fn alarm_rate_per_minute(ctx: &Ctx) -> Option<f64> {
    let m = ctx.strategy.monitoring.as_ref()?;
    (m.false_alarms_per_week > 0.0).then(|| m.false_alarms_per_week / MINUTES_PER_WEEK)
}
