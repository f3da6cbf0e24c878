//! What an incident is called, and how bad it is, before anyone has said:
//! a title named from what is wrong with its service, as the services
//! screen says it (`prod-web/chatbot-api: 16× OOM`), and a severity
//! suggested from the service's state. Both are offered, never imposed:
//! the responder changes them (`:title`, `:severity`, `triage incident set`).

use super::Severity;
use crate::domain::Health;

/// `prod-web/chatbot-api: 16× OOM` from the service and the headline's
/// short form (its `· R: runbook` part says nothing in a title).
pub fn default_title(service: &str, short_headline: &str) -> String {
    let why = short_headline
        .split(" · ")
        .next()
        .unwrap_or(short_headline)
        .trim();
    if why.is_empty() {
        service.to_string()
    } else {
        format!("{service}: {why}")
    }
}

/// A compromise is SEV1; a service down or failed SEV2; degraded SEV3;
/// anything else SEV4.
pub fn suggested_severity(health: Option<Health>, compromised: bool) -> Severity {
    if compromised {
        return Severity::Sev1;
    }
    match health {
        Some(Health::Down | Health::Failed) => Severity::Sev2,
        Some(Health::Degraded) => Severity::Sev3,
        _ => Severity::Sev4,
    }
}

/// How a severity is offered: `SEV3 (degraded service)`.
pub fn severity_words(severity: Severity) -> &'static str {
    match severity {
        Severity::Sev1 => "critical: customers or data at risk",
        Severity::Sev2 => "major: a service down",
        Severity::Sev3 => "minor: a service degraded",
        Severity::Sev4 => "low: no customer impact",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_says_the_service_and_what_is_wrong() {
        assert_eq!(
            default_title("prod-web/chatbot-api", "16× OOM · R: oom-restart-loop"),
            "prod-web/chatbot-api: 16× OOM"
        );
        assert_eq!(default_title("prod-web/x", ""), "prod-web/x");
    }

    #[test]
    fn a_compromise_outranks_health() {
        assert_eq!(
            suggested_severity(Some(Health::Healthy), true),
            Severity::Sev1
        );
        assert_eq!(
            suggested_severity(Some(Health::Down), false),
            Severity::Sev2
        );
        assert_eq!(
            suggested_severity(Some(Health::Degraded), false),
            Severity::Sev3
        );
        assert_eq!(suggested_severity(None, false), Severity::Sev4);
    }
}
