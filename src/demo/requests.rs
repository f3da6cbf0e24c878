//! Requests that cross services in the demo: every few seconds one enters at
//! the first service of a path and is passed along (frontend → backend-api →
//! chatbot-api), each service logging it with the same `correlationId`; the
//! answers come back the same way. One named request fails in the middle.
//! Pure: which lines a service writes between two times.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Services a request passes through, in order.
    pub path: Vec<String>,
    /// One request starts every this many seconds.
    #[serde(default = "twenty")]
    pub every_seconds: i64,
    /// A request that fails in the last service of the path (to follow).
    pub failing_id: Option<String>,
    /// When it started, before the console opened.
    #[serde(default = "four")]
    pub failing_minutes_ago: i64,
    /// The far end's own dependency (the model provider) has been slow
    /// since this many minutes before the console opened.
    pub far_end_slow_minutes_ago: Option<i64>,
}

fn twenty() -> i64 {
    20
}
fn four() -> i64 {
    4
}

/// One line of a request in one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    pub at: DateTime<Utc>,
    pub id: String,
    pub trace_id: String,
    pub service: String,
    pub level: &'static str,
    pub msg: String,
    pub status: Option<u16>,
    /// On the answer: how long the service held the request.
    pub duration_ms: Option<i64>,
}

impl Hop {
    /// The JSON line the service writes.
    pub fn message(&self) -> String {
        let mut value = serde_json::json!({
            "level": self.level,
            "service": self.service,
            "msg": self.msg,
            "correlationId": self.id,
            "traceId": self.trace_id,
        });
        if let Some(status) = self.status {
            value["status"] = serde_json::json!(status);
        }
        if let Some(ms) = self.duration_ms {
            value["duration_ms"] = serde_json::json!(ms);
        }
        value.to_string()
    }
}

/// Whether the far end of the path is slow at a moment (its tasks are
/// being killed: what is left of it is overloaded).
pub(crate) type SlowAt<'a> = &'a dyn Fn(DateTime<Utc>) -> bool;

/// A request's id from its start slot (stable for a scenario seed).
fn request_id(seed: u64, slot: i64) -> String {
    let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
    for b in slot.to_le_bytes() {
        h = h.wrapping_mul(0x100_0000_01b3).wrapping_add(u64::from(b));
    }
    format!("req-{:08x}", (h >> 16) as u32)
}

/// The X-Ray trace id of a request: its start in epoch seconds, then 24
/// hex digits of its id.
fn trace_id_of(id: &str, begun: DateTime<Utc>) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in id.bytes() {
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b) ^ u128::from(b);
    }
    format!("1-{:08x}-{:024x}", begun.timestamp() as u32, h >> 32)
}

/// One request in flight: when it began, each hop's latency on the way
/// in, and the work at the far end.
struct Flight<'s> {
    spec: &'s RequestSpec,
    id: String,
    begun: DateTime<Utc>,
    failing: bool,
    inbound: Vec<i64>,
    work: i64,
}

impl<'s> Flight<'s> {
    fn new(
        spec: &'s RequestSpec,
        id: &str,
        begun: DateTime<Utc>,
        failing: bool,
        salt: u64,
        slow: bool,
    ) -> Flight<'s> {
        let depth = spec.path.len();
        let mut rng = fastrand::Rng::with_seed(salt.wrapping_mul(2_654_435_761) ^ id.len() as u64);
        let inbound: Vec<i64> = (0..depth).map(|_| rng.i64(3..25)).collect();
        let work = match (failing, slow) {
            (true, _) => 30_000,
            // What is left of the far end is overloaded: its model calls queue.
            (false, true) => rng.i64(2200..3400),
            (false, false) => rng.i64(80..900),
        };
        Flight {
            spec,
            id: id.to_string(),
            begun,
            failing,
            inbound,
            work,
        }
    }

    /// The request of slot `slot` (every `every_seconds`).
    fn of_slot(spec: &'s RequestSpec, seed: u64, slot: i64, slow: SlowAt<'_>) -> Flight<'s> {
        let begun =
            DateTime::from_timestamp(slot * spec.every_seconds.max(1), 0).unwrap_or_default();
        Flight::new(
            spec,
            &request_id(seed, slot),
            begun,
            false,
            slot as u64,
            slow(begun),
        )
    }

    /// The one that fails, placed before the console opened.
    fn failing(spec: &'s RequestSpec, anchor: DateTime<Utc>) -> Option<Flight<'s>> {
        let id = spec.failing_id.as_ref()?;
        let begun = anchor - Duration::minutes(spec.failing_minutes_ago);
        Some(Flight::new(spec, id, begun, true, 7, false))
    }

    fn depth(&self) -> usize {
        self.spec.path.len()
    }

    fn trace_id(&self) -> String {
        trace_id_of(&self.id, self.begun)
    }

    fn arrive(&self, i: usize) -> DateTime<Utc> {
        self.begun + Duration::milliseconds(self.inbound[..=i].iter().sum())
    }

    fn leave(&self, i: usize) -> DateTime<Utc> {
        let back: i64 = self.inbound[i + 1..].iter().sum::<i64>() * 2;
        self.arrive(self.depth() - 1) + Duration::milliseconds(self.work + back)
    }

    fn took(&self, i: usize) -> i64 {
        (self.leave(i) - self.arrive(i)).num_milliseconds()
    }

    /// The status service `i` answers.
    fn status(&self, i: usize) -> u16 {
        match (self.failing, i + 1 == self.depth()) {
            (false, _) => 200,
            (true, true) => 504,
            (true, false) => 502,
        }
    }

    /// The lines of the request at position `i` of its path: received on
    /// the way in, answered on the way out.
    fn hops(&self, i: usize) -> Vec<Hop> {
        let service = self.spec.path[i].clone();
        let next = self.spec.path.get(i + 1);
        let took = self.took(i);
        let last = i + 1 == self.depth();
        let (level, msg) = match (self.failing, last) {
            (false, false) => (
                "info",
                format!(
                    "200 in {took} ms (via {})",
                    next.map(String::as_str).unwrap_or("")
                ),
            ),
            (false, true) => (
                "info",
                format!("answered in {took} ms (model call {} ms)", self.work),
            ),
            (true, true) => (
                "error",
                format!("model call timed out after {} ms; giving up", self.work),
            ),
            (true, false) => (
                "error",
                format!(
                    "upstream {} failed with {} after {took} ms",
                    next.map(String::as_str).unwrap_or(""),
                    // The last service times out (504); the ones between pass a 502 on.
                    if i + 2 == self.depth() { 504 } else { 502 }
                ),
            ),
        };
        let trace_id = self.trace_id();
        vec![
            Hop {
                at: self.arrive(i),
                id: self.id.clone(),
                trace_id: trace_id.clone(),
                service: service.clone(),
                level: "info",
                msg: match next {
                    Some(n) => format!("received; calling {n}"),
                    None => "received; working".to_string(),
                },
                status: None,
                duration_ms: None,
            },
            Hop {
                at: self.leave(i),
                id: self.id.clone(),
                trace_id,
                service,
                level,
                msg,
                status: Some(self.status(i)),
                duration_ms: Some(took),
            },
        ]
    }

    /// The X-Ray segment documents of the request: a segment per service,
    /// a subsegment for each call it makes downstream (the next service,
    /// or the model at the far end).
    fn segments(&self) -> Vec<String> {
        let trace_id = self.trace_id();
        let seconds = |t: DateTime<Utc>| t.timestamp_millis() as f64 / 1000.0;
        let id_of = |kind: u8, i: usize| {
            let h = trace_id
                .bytes()
                .fold(u64::from(kind) << 8 | i as u64, |h, b| {
                    h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b)
                });
            format!("{h:016x}")
        };
        (0..self.depth())
            .map(|i| {
                let service = &self.spec.path[i];
                let status = self.status(i);
                let last = i + 1 == self.depth();
                let call = if last {
                    let start = self.arrive(i) + Duration::milliseconds(1);
                    serde_json::json!({
                        "id": id_of(2, i),
                        "name": "model call",
                        "namespace": "remote",
                        "start_time": seconds(start),
                        "end_time": seconds(start + Duration::milliseconds(self.work - 2)),
                        "fault": self.failing,
                        "http": {"response": {"status": if self.failing { 504 } else { 200 }}},
                    })
                } else {
                    serde_json::json!({
                        "id": id_of(2, i),
                        "name": self.spec.path[i + 1],
                        "namespace": "remote",
                        "start_time": seconds(self.arrive(i) + Duration::milliseconds(1)),
                        "end_time": seconds(self.leave(i + 1) + Duration::milliseconds(self.inbound[i + 1])),
                        "fault": self.failing,
                        "http": {"response": {"status": self.status(i + 1)}},
                    })
                };
                let mut segment = serde_json::json!({
                    "id": id_of(1, i),
                    "trace_id": trace_id,
                    "name": service,
                    "start_time": seconds(self.arrive(i)),
                    "end_time": seconds(self.leave(i)),
                    "fault": self.failing,
                    "http": {"request": {"method": "POST"}, "response": {"status": status}},
                    "annotations": {"correlationId": self.id},
                    "subsegments": [call],
                });
                if i > 0 {
                    segment["parent_id"] = serde_json::json!(id_of(2, i - 1));
                }
                segment.to_string()
            })
            .collect()
    }
}

/// Every line `service` writes for requests between `start` and `end`.
/// `anchor` is when the console opened (the failing request is placed
/// before it); `slow` says when the far end is slow.
pub(crate) fn hops_in(
    spec: &RequestSpec,
    seed: u64,
    anchor: DateTime<Utc>,
    service: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    slow: SlowAt<'_>,
) -> Vec<Hop> {
    let Some(position) = spec.path.iter().position(|s| s == service) else {
        return Vec::new();
    };
    let mut hops: Vec<Hop> = flights(spec, seed, anchor, (start, end), slow)
        .flat_map(|f| f.hops(position))
        .collect();
    hops.retain(|h| h.at >= start && h.at < end);
    hops.sort_by_key(|h| h.at);
    hops
}

/// The requests in flight between `start` and `end` (a request lasts a
/// few seconds; the failing one 30).
fn flights<'s>(
    spec: &'s RequestSpec,
    seed: u64,
    anchor: DateTime<Utc>,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    slow: SlowAt<'_>,
) -> impl Iterator<Item = Flight<'s>> {
    let every = spec.every_seconds.max(1);
    let first = (start - Duration::seconds(10))
        .timestamp()
        .div_euclid(every);
    let last = end.timestamp().div_euclid(every);
    let mut all: Vec<Flight<'s>> = (first..=last)
        .map(|slot| Flight::of_slot(spec, seed, slot, slow))
        .collect();
    all.extend(Flight::failing(spec, anchor));
    all.into_iter()
}

/// The segment documents of a trace, as X-Ray would return them; None for
/// a trace id no request of the scenario has.
pub(crate) fn segments_of(
    spec: &RequestSpec,
    seed: u64,
    anchor: DateTime<Utc>,
    trace_id: &str,
    slow: SlowAt<'_>,
) -> Option<Vec<String>> {
    let epoch = i64::from_str_radix(trace_id.get(2..10)?, 16).ok()?;
    let failing = Flight::failing(spec, anchor).filter(|f| f.trace_id() == trace_id);
    let flight = failing.or_else(|| {
        let every = spec.every_seconds.max(1);
        (epoch % every == 0)
            .then(|| Flight::of_slot(spec, seed, epoch / every, slow))
            .filter(|f| f.trace_id() == trace_id)
    })?;
    Some(flight.segments())
}

/// The requests through `service` that began between `start` and `end`
/// and took at least `slower_than_ms` there: (trace id, ms, failed).
pub(crate) fn slow_requests(
    spec: &RequestSpec,
    seed: u64,
    anchor: DateTime<Utc>,
    service: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    slower_than_ms: i64,
    slow: SlowAt<'_>,
) -> Vec<(String, i64, bool)> {
    let Some(position) = spec.path.iter().position(|s| s == service) else {
        return Vec::new();
    };
    flights(spec, seed, anchor, (start, end), slow)
        .filter(|f| f.begun >= start && f.leave(position) <= end)
        .map(|f| (f.trace_id(), f.took(position), f.failing))
        .filter(|(_, ms, _)| *ms >= slower_than_ms)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn spec() -> RequestSpec {
        RequestSpec {
            path: vec![
                "frontend".into(),
                "backend-api".into(),
                "chatbot-api".into(),
            ],
            every_seconds: 20,
            failing_id: Some("req-5f1e0c9a".into()),
            failing_minutes_ago: 4,
            far_end_slow_minutes_ago: None,
        }
    }

    #[test]
    fn a_request_crosses_every_service_in_order_and_comes_back() {
        let anchor = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        let start = anchor - Duration::minutes(10);
        let mut all: Vec<Hop> = ["frontend", "backend-api", "chatbot-api"]
            .iter()
            .flat_map(|s| hops_in(&spec(), 1, anchor, s, (start, anchor), &|_| false))
            .collect();
        all.sort_by_key(|h| h.at);
        let id = all[5].id.clone();
        let mine: Vec<&Hop> = all.iter().filter(|h| h.id == id).collect();
        let services: Vec<&str> = mine.iter().map(|h| h.service.as_str()).collect();
        assert_eq!(
            services,
            [
                "frontend",
                "backend-api",
                "chatbot-api",
                "chatbot-api",
                "backend-api",
                "frontend"
            ]
        );
        // The failing one ends in errors on the way back.
        let failing: Vec<&Hop> = all.iter().filter(|h| h.id == "req-5f1e0c9a").collect();
        assert_eq!(failing.len(), 6);
        assert_eq!(failing.last().unwrap().status, Some(502));
        assert!(failing.iter().any(|h| h.status == Some(504)));
        // Ids are the same whoever asks (stable per seed).
        assert_eq!(request_id(1, 42), request_id(1, 42));
        assert_ne!(request_id(1, 42), request_id(1, 43));
    }
}
