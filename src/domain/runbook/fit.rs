//! A runbook's `when:` front matter: the conditions a service must meet for
//! triage to suggest it (`R`). Every condition must hold; a runbook without
//! `when:` is never suggested, only picked from `:rb`.
//!
//! ```yaml
//! when: [no_running_tasks]
//! when: ["cause=oom_killed"]
//! when: ["cause=image_not_found|image_pull_auth", since_deployment]
//! ```

use crate::domain::diagnosis::Cause;
use serde::de::IntoDeserializer;
use serde::Deserialize;

/// One condition of `when:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// The service looks compromised (egress far above its usual, a
    /// GuardDuty finding of medium severity or more, or any finding while
    /// its groups let everything out).
    Compromised,
    /// It wants tasks and runs none.
    NoRunningTasks,
    /// Its restart loop runs the revision its newest deployment brought,
    /// and there is one to go back to.
    SinceDeployment,
    /// Its tasks stop for one of these causes (its restart loop's, else its
    /// newest stopped task's).
    Cause(Vec<Cause>),
}

/// The words `when:` understands, for messages.
pub(crate) const FIT_WORDS: &str =
    "compromised, no_running_tasks, since_deployment, cause=CODE[|CODE…]";

impl Fit {
    /// One condition as written in the front matter.
    pub fn parse(text: &str) -> Result<Fit, String> {
        let text = text.trim();
        match text {
            "compromised" => return Ok(Fit::Compromised),
            "no_running_tasks" => return Ok(Fit::NoRunningTasks),
            "since_deployment" => return Ok(Fit::SinceDeployment),
            _ => {}
        }
        let Some(codes) = text.strip_prefix("cause=") else {
            return Err(format!(
                "`when: {text}` is not a condition triage knows; conditions: {FIT_WORDS}"
            ));
        };
        let mut causes = Vec::new();
        for code in codes.split('|').map(str::trim) {
            let parsed: Result<Cause, serde::de::value::Error> =
                Cause::deserialize(code.into_deserializer());
            match parsed {
                Ok(cause) => causes.push(cause),
                Err(_) => {
                    return Err(format!(
                        "`cause={code}` names no cause; the codes are those of `triage diagnose -o json` (e.g. oom_killed, image_not_found)"
                    ))
                }
            }
        }
        Ok(Fit::Cause(causes))
    }

    /// As written in the front matter.
    pub fn text(&self) -> String {
        match self {
            Fit::Compromised => "compromised".into(),
            Fit::NoRunningTasks => "no_running_tasks".into(),
            Fit::SinceDeployment => "since_deployment".into(),
            Fit::Cause(causes) => format!(
                "cause={}",
                causes
                    .iter()
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join("|")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_condition_and_back() {
        for text in [
            "compromised",
            "no_running_tasks",
            "since_deployment",
            "cause=oom_killed",
            "cause=image_not_found|image_pull_auth",
        ] {
            assert_eq!(Fit::parse(text).unwrap().text(), text);
        }
    }

    #[test]
    fn refuses_what_it_does_not_know_and_says_what_it_does() {
        let e = Fit::parse("running == 0").unwrap_err();
        assert!(e.contains("no_running_tasks"), "{e}");
        let e = Fit::parse("cause=oom").unwrap_err();
        assert!(e.contains("oom_killed"), "{e}");
    }
}
