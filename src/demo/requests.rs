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
    pub service: String,
    pub level: &'static str,
    pub msg: String,
    pub status: Option<u16>,
}

impl Hop {
    /// The JSON line the service writes.
    pub fn message(&self) -> String {
        let mut value = serde_json::json!({
            "level": self.level,
            "service": self.service,
            "msg": self.msg,
            "correlationId": self.id,
        });
        if let Some(status) = self.status {
            value["status"] = serde_json::json!(status);
        }
        value.to_string()
    }
}

/// A request's id from its start slot (stable for a scenario seed).
fn request_id(seed: u64, slot: i64) -> String {
    let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
    for b in slot.to_le_bytes() {
        h = h.wrapping_mul(0x100_0000_01b3).wrapping_add(u64::from(b));
    }
    format!("req-{:08x}", (h >> 16) as u32)
}

/// Every line `service` writes for requests between `start` and `end`.
/// `anchor` is when the console opened (the failing request is placed
/// before it).
pub(crate) fn hops_in(
    spec: &RequestSpec,
    seed: u64,
    anchor: DateTime<Utc>,
    service: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<Hop> {
    let Some(position) = spec.path.iter().position(|s| s == service) else {
        return Vec::new();
    };
    let every = spec.every_seconds.max(1);
    // A request is in flight for at most a few seconds.
    let first = (start - Duration::seconds(10))
        .timestamp()
        .div_euclid(every);
    let last = end.timestamp().div_euclid(every);
    let mut hops = Vec::new();
    for slot in first..=last {
        let begun = DateTime::from_timestamp(slot * every, 0).unwrap_or(start);
        let id = request_id(seed, slot);
        hops.extend(request_hops(spec, &id, begun, false, slot as u64, position));
    }
    if let Some(id) = &spec.failing_id {
        let begun = anchor - Duration::minutes(spec.failing_minutes_ago);
        hops.extend(request_hops(spec, id, begun, true, 7, position));
    }
    hops.retain(|h| h.at >= start && h.at < end);
    hops.sort_by_key(|h| h.at);
    hops
}

/// The lines of one request at one position of its path: received on the
/// way in, answered on the way out.
fn request_hops(
    spec: &RequestSpec,
    id: &str,
    begun: DateTime<Utc>,
    failing: bool,
    salt: u64,
    position: usize,
) -> Vec<Hop> {
    let depth = spec.path.len();
    let mut rng = fastrand::Rng::with_seed(salt.wrapping_mul(2_654_435_761) ^ id.len() as u64);
    // Hop latencies on the way in, and the work at the far end.
    let inbound: Vec<i64> = (0..depth).map(|_| rng.i64(3..25)).collect();
    let work = if failing { 30_000 } else { rng.i64(80..900) };
    let arrive = |i: usize| begun + Duration::milliseconds(inbound[..=i].iter().sum());
    let leave = |i: usize| {
        let back: i64 = inbound[i + 1..].iter().sum::<i64>() * 2;
        arrive(depth - 1) + Duration::milliseconds(work + back)
    };
    let service = spec.path[position].clone();
    let next = spec.path.get(position + 1);
    let took = (leave(position) - arrive(position)).num_milliseconds();
    let last = position + 1 == depth;
    let (level, msg, status) = match (failing, last) {
        (false, false) => (
            "info",
            format!(
                "200 in {took} ms (via {})",
                next.map(String::as_str).unwrap_or("")
            ),
            200,
        ),
        (false, true) => ("info", format!("answered in {took} ms"), 200),
        (true, true) => (
            "error",
            format!("model call timed out after {work} ms; giving up"),
            504,
        ),
        (true, false) => (
            "error",
            format!(
                "upstream {} failed with {} after {took} ms",
                next.map(String::as_str).unwrap_or(""),
                // The last service times out (504); the ones between pass a 502 on.
                if position + 2 == depth { 504 } else { 502 }
            ),
            502,
        ),
    };
    vec![
        Hop {
            at: arrive(position),
            id: id.to_string(),
            service: service.clone(),
            level: "info",
            msg: match next {
                Some(n) => format!("received; calling {n}"),
                None => "received; working".to_string(),
            },
            status: None,
        },
        Hop {
            at: leave(position),
            id: id.to_string(),
            service,
            level,
            msg,
            status: Some(status),
        },
    ]
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
        }
    }

    #[test]
    fn a_request_crosses_every_service_in_order_and_comes_back() {
        let anchor = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        let start = anchor - Duration::minutes(10);
        let mut all: Vec<Hop> = ["frontend", "backend-api", "chatbot-api"]
            .iter()
            .flat_map(|s| hops_in(&spec(), 1, anchor, s, start, anchor))
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
