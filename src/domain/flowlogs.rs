//! VPC flow logs: turning them on for a service's network interfaces (or
//! its subnets, or its VPC) and reading them back as evidence — where the
//! bytes went. A flow record in the default format (version 2) is
//! `version account-id interface-id srcaddr dstaddr srcport dstport
//! protocol packets bytes start end action log-status`; [`top`] adds up
//! bytes by destination (address, port, accepted or rejected), the same
//! numbers a Logs Insights `stats sum(bytes) by dstAddr, dstPort, action`
//! gives, which [`insights_query`] asks for. Records that do not parse
//! (headers, `NODATA`, `SKIPDATA`, another format) are skipped and counted.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a flow log covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowResource {
    NetworkInterface,
    Subnet,
    Vpc,
}

impl FlowResource {
    /// As CreateFlowLogs names it (`ResourceType`).
    pub(crate) fn as_aws(self) -> &'static str {
        match self {
            FlowResource::NetworkInterface => "NetworkInterface",
            FlowResource::Subnet => "Subnet",
            FlowResource::Vpc => "VPC",
        }
    }

    /// The kind an id names, by its prefix (`eni-`, `subnet-`, `vpc-`).
    pub(crate) fn of_id(id: &str) -> Option<FlowResource> {
        match id.split_once('-')?.0 {
            "eni" => Some(FlowResource::NetworkInterface),
            "subnet" => Some(FlowResource::Subnet),
            "vpc" => Some(FlowResource::Vpc),
            _ => None,
        }
    }
}

/// One flow log, as EC2 describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: String,
    /// The interface, subnet or VPC it covers.
    pub resource: String,
    /// The CloudWatch Logs group it delivers to (None: to S3 or Firehose).
    pub log_group: Option<String>,
}

/// What CreateFlowLogs is asked to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogRequest {
    pub kind: FlowResource,
    pub resources: Vec<String>,
    pub log_group: String,
    /// The IAM role the service assumes to write to the group.
    pub role: String,
}

/// What a flow-logs step made, so undoing it removes exactly that.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogsMade {
    pub flow_logs: Vec<String>,
    /// The resources they cover.
    #[serde(default)]
    pub resources: Vec<String>,
    pub log_group: String,
    /// The step created the group (undo deletes it too).
    pub log_group_created: bool,
}

/// One parsed flow record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    pub interface: String,
    pub src: String,
    pub dst: String,
    pub dst_port: Option<u16>,
    pub bytes: u64,
    pub accepted: bool,
}

/// A record in the default format, or None.
pub fn parse(line: &str) -> Option<FlowRecord> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 14 || f[0] != "2" || f[13] != "OK" {
        return None;
    }
    let accepted = match f[12] {
        "ACCEPT" => true,
        "REJECT" => false,
        _ => return None,
    };
    Some(FlowRecord {
        interface: f[2].to_string(),
        src: f[3].to_string(),
        dst: f[4].to_string(),
        dst_port: f[6].parse().ok(),
        bytes: f[9].parse().ok()?,
        accepted,
    })
}

/// One destination's traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub address: String,
    pub port: Option<u16>,
    /// `ACCEPT` or `REJECT`.
    pub action: String,
    pub bytes: u64,
    pub records: u64,
}

impl Destination {
    /// `198.51.100.23:6667`.
    pub fn endpoint(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.address),
            None => self.address.clone(),
        }
    }
}

/// The destinations with the most bytes sent from these interfaces (all
/// interfaces when none is given), most first; and how many lines were not
/// flow records.
pub fn top<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    interfaces: &[String],
    limit: usize,
) -> (Vec<Destination>, usize) {
    let mut skipped = 0;
    let mut sums: BTreeMap<(String, Option<u16>, bool), (u64, u64)> = BTreeMap::new();
    for line in lines {
        let Some(r) = parse(line) else {
            skipped += 1;
            continue;
        };
        if !interfaces.is_empty() && !interfaces.contains(&r.interface) {
            continue;
        }
        let entry = sums.entry((r.dst, r.dst_port, r.accepted)).or_default();
        entry.0 = entry.0.saturating_add(r.bytes);
        entry.1 += 1;
    }
    let mut out: Vec<Destination> = sums
        .into_iter()
        .map(
            |((address, port, accepted), (bytes, records))| Destination {
                address,
                port,
                action: if accepted { "ACCEPT" } else { "REJECT" }.into(),
                bytes,
                records,
            },
        )
        .collect();
    out.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.address.cmp(&b.address))
    });
    out.truncate(limit);
    (out, skipped)
}

/// The Logs Insights query of the same numbers (Insights finds flow-log
/// fields by itself). Interface ids are checked before they are quoted.
pub(crate) fn insights_query(interfaces: &[String], limit: usize) -> String {
    let mut query = String::from("fields interfaceId, dstAddr, dstPort, action, bytes");
    let ids: Vec<String> = interfaces
        .iter()
        .filter(|i| i.starts_with("eni-") && i[4..].chars().all(|c| c.is_ascii_hexdigit()))
        .map(|i| format!("\"{i}\""))
        .collect();
    if !ids.is_empty() {
        query.push_str(&format!(" | filter interfaceId in [{}]", ids.join(", ")));
    }
    query.push_str(&format!(
        " | stats sum(bytes) as bytes, count(*) as records by dstAddr, dstPort, action | sort bytes desc | limit {limit}"
    ));
    query
}

/// Destinations from an Insights answer's rows (`dstAddr`, `dstPort`,
/// `action`, `bytes`, `records`); None when the rows are not that shape
/// (an engine that ignored `stats`).
pub(crate) fn from_rows(rows: &[Vec<(String, String)>]) -> Option<Vec<Destination>> {
    let field = |row: &[(String, String)], name: &str| {
        row.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    rows.iter()
        .map(|row| {
            Some(Destination {
                address: field(row, "dstAddr")?,
                port: field(row, "dstPort").and_then(|p| p.parse().ok()),
                action: field(row, "action").unwrap_or_default(),
                bytes: field(row, "bytes")?.parse::<f64>().ok()?.max(0.0) as u64,
                records: field(row, "records")
                    .and_then(|r| r.parse::<f64>().ok())
                    .map_or(0, |r| r.max(0.0) as u64),
            })
        })
        .collect()
}

/// `3.4 MB`, `812 B`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.0} KB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "2 123456789012 eni-0a1b 10.0.1.5 198.51.100.23 49152 6667 6 40 350000 1700000000 1700000060 ACCEPT OK";
    const DB: &str = "2 123456789012 eni-0a1b 10.0.1.5 10.0.9.9 49153 5432 6 10 8000 1700000000 1700000060 ACCEPT OK";
    const BLOCKED: &str = "2 123456789012 eni-0a1b 10.0.1.5 198.51.100.23 49154 6667 6 3 180 1700000060 1700000120 REJECT OK";
    const OTHER: &str = "2 123456789012 eni-ffff 10.0.2.5 203.0.113.9 49155 443 6 9 999999 1700000000 1700000060 ACCEPT OK";

    #[test]
    fn the_most_bytes_first_by_destination_and_action() {
        let lines = [
            OUT,
            DB,
            OUT,
            BLOCKED,
            "2 1 eni-0a1b - - - - - - - 1 2 NODATA",
            OTHER,
        ];
        let (top, skipped) = top(lines, &["eni-0a1b".to_string()], 10);
        assert_eq!(skipped, 1);
        assert_eq!(top[0].endpoint(), "198.51.100.23:6667");
        assert_eq!(
            (top[0].bytes, top[0].records, top[0].action.as_str()),
            (700_000, 2, "ACCEPT")
        );
        assert_eq!(top[1].endpoint(), "10.0.9.9:5432");
        assert_eq!(top[2].action, "REJECT");
        assert_eq!(top.len(), 3, "another interface's traffic is left out");
    }

    #[test]
    fn the_query_names_only_interface_ids() {
        let q = insights_query(&["eni-0a1b".into(), "eni-x\"]|".into()], 10);
        assert!(q.contains(r#"filter interfaceId in ["eni-0a1b"]"#), "{q}");
        assert!(q.ends_with("limit 10"));
    }

    #[test]
    fn insights_rows_become_destinations_or_say_they_are_not() {
        let row = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let rows = vec![row(&[
            ("dstAddr", "198.51.100.23"),
            ("dstPort", "6667"),
            ("action", "ACCEPT"),
            ("bytes", "3500000"),
            ("records", "12"),
        ])];
        assert_eq!(from_rows(&rows).unwrap()[0].bytes, 3_500_000);
        assert!(from_rows(&[row(&[("@message", OUT)])]).is_none());
    }
}
