//! One service's headline and suggested runbook, from everything known of
//! it and the runbook catalogue's `when:` conditions. The console's row, the
//! service screen, `R` and `triage status` all ask [`suggest`], so they
//! say the same thing and `R` opens what the row promised.
//!
//! A runbook is suggested only when every one of its conditions holds. Of
//! those that fit, the one whose strongest condition rests on the strongest
//! evidence wins: compromised, then the live restart loop's cause, then no
//! running tasks, then a deployment to blame, then the newest stopped
//! task's cause; then the one with more conditions (the more specific);
//! then the catalogue's order.

use super::diagnosis::Cause;
use super::headline::{headline, short_headline, Evidence};
use super::runbook::fit::Fit;
use super::runbook::Runbook;
use serde::Serialize;

/// What triage says about a service and what `R` opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The reason, best evidence first, with `R: <runbook>` when one fits.
    pub headline: String,
    /// The same in a few words, for a narrow screen.
    pub short: String,
    pub runbook: Option<SuggestedRunbook>,
    /// Why no runbook fits, when none does (what `R` says).
    pub none_fits: Option<String>,
}

/// The runbook `R` opens, and why it fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedRunbook {
    pub id: String,
    pub title: String,
    /// The evidence its conditions rest on, in words.
    pub reason: String,
    /// The cause it was chosen for, if a cause condition chose it (`R`
    /// prefills the newest stopped task of that cause).
    #[serde(skip)]
    pub cause: Option<Cause>,
}

/// How strongly a condition holds (lower is stronger), and why.
struct Held {
    strength: u8,
    reason: String,
    cause: Option<Cause>,
}

/// The headline and the runbook that fits best, if any.
pub fn suggest(e: &Evidence<'_>, catalogue: &[&Runbook]) -> Suggestion {
    let mut best: Option<(u8, usize, usize, SuggestedRunbook)> = None;
    for (order, runbook) in catalogue.iter().enumerate() {
        let Some(held) = fits(e, &runbook.when) else {
            continue;
        };
        let rank = (held.strength, usize::MAX - runbook.when.len(), order);
        if best
            .as_ref()
            .is_some_and(|(s, n, o, _)| (*s, *n, *o) <= rank)
        {
            continue;
        }
        best = Some((
            rank.0,
            rank.1,
            rank.2,
            SuggestedRunbook {
                id: runbook.id.clone(),
                title: super::sanitize::one_line(&runbook.title),
                reason: held.reason,
                cause: held.cause,
            },
        ));
    }
    let runbook = best.map(|(_, _, _, r)| r);
    let action = runbook.as_ref().map(|r| format!("R: {}", r.id));
    Suggestion {
        headline: headline(e, action.as_deref()),
        short: short_headline(e, action.as_deref()),
        none_fits: runbook.is_none().then(|| none_fits(e, catalogue)),
        runbook,
    }
}

/// All the conditions hold (the strongest of them, with its reason); an
/// empty `when:` never fits.
fn fits(e: &Evidence<'_>, when: &[Fit]) -> Option<Held> {
    let mut strongest: Option<Held> = None;
    for fit in when {
        let held = holds(e, fit)?;
        if strongest
            .as_ref()
            .is_none_or(|s| held.strength < s.strength)
        {
            strongest = Some(held);
        }
    }
    strongest
}

fn holds(e: &Evidence<'_>, fit: &Fit) -> Option<Held> {
    let held = |strength, reason: String, cause| {
        Some(Held {
            strength,
            reason,
            cause,
        })
    };
    match fit {
        Fit::Compromised if e.compromised() => {
            let why = match (e.egress, e.security.first()) {
                (Some(a), _) => a.words(),
                (None, Some(f)) => f.headline(),
                (None, None) => "open egress".into(),
            };
            held(0, format!("it looks compromised: {why}"), None)
        }
        Fit::Cause(causes) => {
            if let Some(p) = e.pattern.filter(|p| causes.contains(&p.cause)) {
                return held(
                    1,
                    format!("a restart loop: {} {} stops", p.count, p.cause.code()),
                    Some(p.cause),
                );
            }
            let newest = e.causes.first().filter(|c| causes.contains(c))?;
            held(
                4,
                format!("its newest stopped task: {}", newest.code()),
                Some(*newest),
            )
        }
        Fit::NoRunningTasks if e.service.desired > 0 && e.service.running == 0 => held(
            2,
            format!("no running tasks (0 of {})", e.service.desired),
            None,
        ),
        Fit::SinceDeployment => {
            let p = e.pattern.filter(|p| p.since_deployment)?;
            let (Some(revision), Some(previous)) = (&p.revision, &p.rollback_to) else {
                return None;
            };
            held(
                3,
                format!("failing since {revision} was deployed; {previous} ran before it"),
                None,
            )
        }
        _ => None,
    }
}

/// What `R` says when nothing fits: what the service is, and what was looked for.
fn none_fits(e: &Evidence<'_>, catalogue: &[&Runbook]) -> String {
    let s = e.service;
    let mut facts = vec![format!("{}/{} running", s.running, s.desired)];
    facts.push(match e.pattern {
        Some(p) => format!("a {} restart loop", p.cause.code()),
        None => "no restart loop".into(),
    });
    if !e.compromised() {
        facts.push("not compromised".into());
    }
    let name = super::sanitize::one_line(&s.name);
    match catalogue.iter().filter(|r| !r.when.is_empty()).count() {
        0 => format!(
            "no runbook fits {name} ({}): no runbook found says when it fits (`when:`); :rb lists them all",
            facts.join(", ")
        ),
        n => format!(
            "no runbook fits {name} ({}): none of the {n} runbooks with `when:` matches; :rb lists them all",
            facts.join(", ")
        ),
    }
}

/// The runbooks `R` may suggest: those that may run (no lint errors) and
/// say `when:`, in the catalogue's order.
pub(crate) fn suggestible(files: &[super::runbook::RunbookFile]) -> Vec<&Runbook> {
    files
        .iter()
        .filter(|f| f.ok() && !f.runbook.when.is_empty())
        .map(|f| &f.runbook)
        .collect()
}
