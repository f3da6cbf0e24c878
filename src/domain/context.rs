//! The context: which profile and Region the console watches, what the
//! `:ctx` and `:region` pickers offer (profiles from the AWS CLI's files,
//! SSO ones and production ones marked; the commercial Regions), and the
//! switch they ask for (instead of the pairs watched now, or as well).

use serde::{Deserialize, Serialize};

/// A profile as the pickers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInfo {
    pub name: String,
    pub region: Option<String>,
    pub sso: bool,
    /// Reached by assuming this role.
    pub role_arn: Option<String>,
}

/// Where the console looks: a profile (None: the environment's credentials)
/// in a Region (None: the profile's).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Context {
    pub profile: Option<String>,
    pub region: Option<String>,
}

impl Context {
    pub fn describe(&self) -> String {
        format!(
            "profile {} in {}",
            self.profile.as_deref().unwrap_or("(default)"),
            self.region.as_deref().unwrap_or("its Region")
        )
    }
}

/// What `:ctx` and `:region` ask of the console: watch these contexts
/// instead of the pairs watched now, or as well.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Switch {
    pub contexts: Vec<Context>,
    /// Keep the pairs watched now and add these.
    pub add: bool,
}

impl Switch {
    /// "profile beta in its Region", "profile a in eu-west-1 and profile b in eu-west-1".
    pub fn describe(&self) -> String {
        self.contexts
            .iter()
            .map(Context::describe)
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// The commercial Regions, for `:region`.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "me-south-1",
    "me-central-1",
    "il-central-1",
    "af-south-1",
    "ap-south-1",
    "ap-south-2",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
];

/// The note after a profile in the picker: `SSO`, `role`, `PRODUCTION`, its
/// Region, `current`.
pub(crate) fn profile_note(profile: &ProfileInfo, production: bool, current: bool) -> String {
    let mut marks: Vec<String> = Vec::new();
    if production {
        marks.push("PRODUCTION".into());
    }
    if profile.sso {
        marks.push("SSO".into());
    }
    if profile.role_arn.is_some() {
        marks.push("role".into());
    }
    if let Some(region) = &profile.region {
        marks.push(region.clone());
    }
    if current {
        marks.push("← current".into());
    }
    marks.join(" · ")
}
