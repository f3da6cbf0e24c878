//! Which watched account and Region a resource was read from. The console
//! and the CLI can watch several (account, Region) pairs at once; every
//! service, alarm, finding and log line carries its pair, so services are
//! ranked together and each request goes back to the account it came from.

use serde::{Deserialize, Serialize};

/// One watched account in one Region. The unnamed pair (both empty) is the
/// only one of a session that watches a single pair, and what resources
/// built without one (tests, old journals) belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pair {
    /// The account's name as asked for (`[[accounts]] name`, else its
    /// profile, else `default`).
    pub account: String,
    /// The Region, as resolved when the pair was opened.
    pub region: String,
}

impl Pair {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Pair {
        Pair {
            account: account.into(),
            region: region.into(),
        }
    }

    /// Nothing names it: a single-pair session's resources.
    pub fn is_unnamed(&self) -> bool {
        self.account.is_empty() && self.region.is_empty()
    }

    /// `account/region`, as tables and messages name it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.account, self.region)
    }
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// A pair as the console watches it (and a runbook run runs in it): its
/// name, the profile that opens it (None: the environment's credentials),
/// whether it is production, and the account's id once read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedPair {
    pub pair: Pair,
    #[serde(default)]
    pub profile: Option<String>,
    /// `production = true` in its `[[accounts]]` entry.
    #[serde(default)]
    pub production: bool,
    /// The account's id, once its identity has been read.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The IAM role VPC flow logs deliver to CloudWatch Logs with here
    /// (`[security]` or `[[accounts]] flow_logs_role`; the demo's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_logs_role: Option<String>,
}

impl WatchedPair {
    /// Nothing names it: no pair name, account id or profile (a session's
    /// one pair built without them, as in tests).
    pub(crate) fn is_anonymous(&self) -> bool {
        self.pair.is_unnamed() && self.account_id.is_none() && self.profile.is_none()
    }

    /// "prod/eu-west-1 (account 123456789012, profile prod-oncall)": where a
    /// change lands, as plans and the journal say it.
    pub fn describe(&self) -> String {
        let mut about: Vec<String> = Vec::new();
        if let Some(id) = &self.account_id {
            about.push(format!("account {id}"));
        }
        if let Some(profile) = &self.profile {
            about.push(format!("profile {profile}"));
        }
        if self.production {
            about.push("PRODUCTION".into());
        }
        let name = if self.pair.is_unnamed() {
            "this account".to_string()
        } else {
            self.pair.label()
        };
        if about.is_empty() {
            name
        } else {
            format!("{name} ({})", about.join(", "))
        }
    }
}
