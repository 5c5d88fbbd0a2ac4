//! Ticket floods (model.md §8.4): after the first user report of an outage, more users report
//! it as a Poisson process until the service is up. Each ticket is deflected by the strategy's
//! status page with probability `ticket_deflection`, else filed as triage work at the first
//! tier, ranked below incidents (§8.3), obeying the tier's hours and never paging.
//!
//! A symptom incident (model.md §8.11) brings its own flood from its report until it closes,
//! in a second slot per service, from the tickets stream keyed by the symptom's id (its `k`
//! carries the symptom bit, so no failure's stream is touched).
//!
//! Randomness: one stream per failure, keyed `(seed, rep, tickets, service, k)` and independent
//! of the strategy. Per ticket it gives the unit-rate gap since the previous arrival, then the
//! deflection coin. A strategy that restores sooner sees a prefix of the same arrivals, and a
//! higher deflection deflects every ticket a lower one does (common random numbers).

use super::{Ctx, Simulator, Timer};
use crate::events::{EventKind, EventSink, IncidentId, ServiceId, TicketId, WorkItem};
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
        // Own failures' floods, then symptoms' floods.
        self.tickets
            .resize(2 * ctx.scenario.services.len(), TicketFlood::default());
    }

    /// The flood slot of an incident: the service's own, or its symptom's.
    fn flood_slot(&self, incident: IncidentId) -> usize {
        if incident.is_symptom() {
            self.services.len() + incident.service as usize
        } else {
            incident.service as usize
        }
    }

    /// Whether users are still meeting the incident's outage (tickets keep coming).
    fn still_reported(&self, incident: IncidentId) -> bool {
        if incident.is_symptom() {
            self.symptom_open(incident)
        } else {
            let s = &self.services[incident.service as usize];
            s.open && s.k == incident.k
        }
    }

    /// The symptom was reported at `t` (§8.11): with tickets on its service, its own flood
    /// starts now.
    pub(super) fn watch_symptom_tickets(&mut self, ctx: &Ctx, t: Minutes, incident: IncidentId) {
        let service = incident.service;
        let Some(tickets) = &ctx.scenario.services[service as usize].tickets else {
            return;
        };
        if tickets.per_hour <= 0.0 {
            return;
        }
        self.start_flood(ctx, t, incident);
    }

    fn start_flood(&mut self, ctx: &Ctx, t: Minutes, incident: IncidentId) {
        let slot = self.flood_slot(incident);
        let flood = &mut self.tickets[slot];
        flood.k = Some(incident.k);
        flood.next = 0;
        flood.rng = Some(streams::stream(
            ctx.seed,
            ctx.rep,
            Purpose::Tickets,
            incident.service as u64,
            incident.k as u64,
        ));
        self.schedule_next_ticket(ctx, t, incident.service, incident.k);
    }

    /// The outage of failure `k` began at `t`: its first user report comes `report_delay`
    /// later (the failure's own draw, also when monitoring saw it first).
    #[inline(always)]
    pub(super) fn watch_for_tickets(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId) {
        let Some(tickets) = &ctx.scenario.services[service as usize].tickets else {
            return;
        };
        if tickets.per_hour <= 0.0 {
            return;
        }
        super::rarely();
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
        self.start_flood(ctx, t, IncidentId { service, k });
    }

    fn schedule_next_ticket(&mut self, ctx: &Ctx, t: Minutes, service: ServiceId, k: u32) {
        let per_minute = ctx.scenario.services[service as usize]
            .tickets
            .as_ref()
            .map_or(0.0, |tk| tk.per_hour / 60.0);
        let slot = self.flood_slot(IncidentId { service, k });
        let rng = self.tickets[slot]
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
        let incident = IncidentId { service, k };
        let slot = self.flood_slot(incident);
        // Arrivals stop when the service is up (the interval is open at its end).
        if !self.still_reported(incident) || self.tickets[slot].k != Some(k) {
            return;
        }
        let flood = &mut self.tickets[slot];
        let coin = streams::uniform(flood.rng.as_mut().expect("stream set"));
        let ticket = TicketId {
            incident,
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
