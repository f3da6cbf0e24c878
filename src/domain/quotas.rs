//! The CloudWatch Logs quotas AWS publishes per Region (docs/specs/LOG_SEARCH.md), and
//! the pace triage keeps under them: about half, burst included, because the
//! account shares them with everything else (deploy pipelines, other
//! responders, log shippers).

/// The Logs APIs triage calls, each with a quota of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LogsApi {
    FilterLogEvents,
    GetLogEvents,
    DescribeLogGroups,
    StartQuery,
    GetQueryResults,
}

/// Regions where FilterLogEvents gets the usual 10 TPS and GetLogEvents 25.
const USUAL: &[&str] = &[
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
];

/// Transactions per second AWS allows the account in `region`. A Region not
/// in the table gets the lowest published figure.
pub(crate) fn published_tps(api: LogsApi, region: &str) -> f64 {
    let usual = USUAL.contains(&region);
    match api {
        LogsApi::FilterLogEvents => match region {
            "us-east-1" => 25.0,
            "eu-central-1" => 5.0,
            _ if usual => 10.0,
            _ => 5.0,
        },
        LogsApi::GetLogEvents => match region {
            "us-east-1" | "eu-central-1" => 25.0,
            _ if usual => 25.0,
            _ => 10.0,
        },
        LogsApi::DescribeLogGroups | LogsApi::StartQuery | LogsApi::GetQueryResults => 10.0,
    }
}

/// How fast triage calls one API: a token bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub per_second: f64,
    pub burst: u32,
}

/// The share of a quota triage takes.
pub(crate) const SHARE: f64 = 0.5;

/// Half the quota, and a burst of about that half (rounded up): no more
/// than half a second's quota goes out at once.
pub(crate) fn pace(api: LogsApi, region: &str) -> Pace {
    let half = published_tps(api, region) * SHARE;
    Pace {
        per_second: half,
        burst: (half.ceil() as u32).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_table_and_half_of_it() {
        assert_eq!(published_tps(LogsApi::FilterLogEvents, "us-east-1"), 25.0);
        assert_eq!(published_tps(LogsApi::FilterLogEvents, "eu-west-1"), 10.0);
        assert_eq!(published_tps(LogsApi::FilterLogEvents, "eu-central-1"), 5.0);
        // Unknown Regions get the lowest figure.
        assert_eq!(published_tps(LogsApi::FilterLogEvents, "xx-mars-1"), 5.0);
        assert_eq!(published_tps(LogsApi::GetLogEvents, "xx-mars-1"), 10.0);
        let p = pace(LogsApi::FilterLogEvents, "us-east-1");
        assert_eq!((p.per_second, p.burst), (12.5, 13));
        let p = pace(LogsApi::FilterLogEvents, "eu-central-1");
        assert_eq!((p.per_second, p.burst), (2.5, 3));
    }
}
