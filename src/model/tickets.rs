//! Ticket floods (model.md §8.4): after the first user report of an outage, more users report
//! it as a Poisson process until the service is up. Each ticket is deflected by the strategy's
//! status page with probability `ticket_deflection`, else filed as triage work at the first
//! tier, ranked below incidents (§8.3), obeying the tier's hours and never paging.
//!
//! Randomness: one stream per failure, keyed `(seed, rep, tickets, service, k)` and independent
//! of the strategy. Per ticket it gives the unit-rate gap since the previous arrival, then the
//! deflection coin. A strategy that restores sooner sees a prefix of the same arrivals, and a
//! higher deflection deflects every ticket a lower one does (common random numbers).

use super::{Ctx, Simulator, Timer};
use crate::events::{EventKind, EventSink, ServiceId, TicketId, WorkItem};
use crate::rng::{self as streams, Purpose, StreamRng};
use crate::scenario::Minutes;

/// The ticket flood of a service's current failure.
#[derive(Debug, Clone, Default)]
pub(super) struct TicketFlood {
    /// The failure whose flood is under way (`None`: none).
    k: Option<u32>,
    rng: Option<StreamRng>,
    /// Tickets (filed or deflected) so far for failure `k`.
    next: u32,
}

impl Simulator {
    pub(super) fn reset_tickets(&mut self, ctx: &Ctx) {
        self.tickets.clear();
        self.tickets
            .resize(ctx.scenario.services.len(), TicketFlood::default());
    }

    /// The outage of failure `k` began at `t`: its first user report comes `report_delay`
    /// later (the failure's own draw, also when monitoring saw it first).
    pub(super) fn watch_for_tickets(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let Some(tickets) = &ctx.scenario.services[service as usize].tickets else {
            return;
        };
        if tickets.per_hour <= 0.0 {
            return;
        }
        let state = &self.services[service as usize];
        let k = state.k;
        self.scheduler.schedule(
            t + state.failure.report_delay,
            Timer::FirstReport { service, k },
        );
    }

    /// The first user report of failure `k`: if the service is still down, the flood starts.
    pub(super) fn first_report(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId, k: u32) {
        let s = &self.services[service as usize];
        if !(s.open && s.k == k) {
            return;
        }
        let flood = &mut self.tickets[service as usize];
        flood.k = Some(k);
        flood.next = 0;
        flood.rng = Some(streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Tickets,
            service as u64,
            k as u64,
        ));
        self.schedule_next_ticket(ctx, t, service, k);
    }

    fn schedule_next_ticket(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId, k: u32) {
        let per_minute = ctx.scenario.services[service as usize]
            .tickets
            .as_ref()
            .map_or(0.0, |tk| tk.per_hour / 60.0);
        let rng = self.tickets[service as usize]
            .rng
            .as_mut()
            .expect("the flood's stream is set at the first report");
        let u = streams::uniform(rng);
        let gap = -(1.0 - u).ln() / per_minute;
        self.scheduler
            .schedule(t + gap, Timer::TicketArrives { service, k });
    }

    /// A user reports failure `k` at `t`: deflected or filed, if the service is still down.
    pub(super) fn ticket_arrives<S: EventSink>(
        &mut self,
        ctx: &Ctx,
        t: Minutes,
        service: ServiceId,
        k: u32,
        sink: &mut S,
    ) {
        let s = &self.services[service as usize];
        // Arrivals stop when the service is up (the interval is open at its end).
        if !(s.open && s.k == k) || self.tickets[service as usize].k != Some(k) {
            return;
        }
        let flood = &mut self.tickets[service as usize];
        let coin = streams::uniform(flood.rng.as_mut().expect("stream set"));
        let ticket = TicketId {
            incident: crate::events::IncidentId { service, k },
            n: flood.next,
        };
        flood.next += 1;
        if coin < ctx.strategy.ticket_deflection {
            self.emit(sink, t, EventKind::TicketDeflected { ticket });
        } else {
            self.emit(sink, t, EventKind::TicketFiled { ticket });
            self.enqueue(ctx, t, WorkItem::Ticket(ticket), 0, sink);
        }
        self.schedule_next_ticket(ctx, t, service, k);
    }
}
