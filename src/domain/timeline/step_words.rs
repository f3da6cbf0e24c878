//! What a runbook step did, in the words a reviewer reads the next morning:
//! "egress of sg-0b4c… reduced from all traffic to tcp 443, udp 53",
//! "chatbot-api rolled back from :41 to :40", "3 secrets given new values:
//! …". Built from the step's record (its kind, inputs, outputs and undo),
//! never from JSON a reviewer would have to read. A kind with nothing to
//! add keeps the first line of its own result.

use crate::domain::network::{Destination, EgressRule};
use crate::domain::runbook::egress::LockdownSnapshot;
use serde_json::Value;

/// The parts of a step's record its words are made of.
#[derive(Debug, Clone, Copy)]
pub struct StepRecord<'a> {
    pub kind: &'a str,
    /// The inputs it was planned with (`Value::Null` when unknown).
    pub inputs: &'a Value,
    /// Its outputs: name → text, as the run recorded them.
    pub outputs: &'a Value,
    /// What undoing it needs, as recorded.
    pub undo: &'a Value,
    /// The first line of its own result.
    pub excerpt: Option<&'a str>,
}

/// What the step did, in words; None when its record says nothing.
pub fn in_words(step: StepRecord<'_>) -> Option<String> {
    let said = match step.kind {
        "ec2.egress_lockdown" => lockdown(step),
        "ec2.egress_restore" => restore(step),
        "ecs.rollback" => rollback(step),
        "ecs.scale" => scale(step),
        "ecs.force_new_deployment" => redeploy(step),
        "secrets.rotate" => rotation(step),
        "ec2.flow_logs" => flow_logs(step),
        "ec2.flow_logs_remove" => output(step.outputs, "log_group")
            .map(|group| format!("VPC flow logs into {group} removed")),
        "ecs.stop_task" => output(step.outputs, "task_arn")
            .map(|arn| format!("task {} stopped", crate::domain::service::arn_name(&arn))),
        "logs.flow_top" => flow_top(step),
        "choice" => output(step.outputs, "choice").map(|c| format!("chose `{c}`")),
        "approve" => output(step.outputs, "approved_by").map(|who| format!("approved by {who}")),
        "manual" => output(step.outputs, "done_by").map(|who| format!("done, says {who}")),
        _ => None,
    };
    said.or_else(|| step.excerpt.map(str::to_string))
}

/// A text output (outputs are recorded as strings).
fn output(outputs: &Value, name: &str) -> Option<String> {
    outputs
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The service(s) a step names: `chatbot-api`, `a, b`.
fn services(inputs: &Value) -> Option<String> {
    match inputs.get("service")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// `tcp 443`, `all traffic`, `tcp 5432 to 10.0.0.0/8`.
fn rule_words(rule: &EgressRule) -> String {
    let what = rule
        .describe()
        .split_once(" → ")
        .map(|(what, _)| what.to_string())
        .unwrap_or_default();
    match &rule.destination {
        Destination::Ipv4(c) | Destination::Ipv6(c) if c == "0.0.0.0/0" || c == "::/0" => what,
        Destination::Ipv4(c) | Destination::Ipv6(c) => format!("{what} to {c}"),
        Destination::PrefixList(p) => format!("{what} to prefix list {p}"),
        Destination::Group(g) => format!("{what} to group {g}"),
    }
}

fn rules_words(rules: &[&EgressRule]) -> String {
    if rules.is_empty() {
        return "nothing".into();
    }
    let mut words: Vec<String> = Vec::new();
    for w in rules.iter().map(|r| rule_words(r)) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words.join(", ")
}

fn snapshots(value: Option<&Value>) -> Vec<LockdownSnapshot> {
    match value {
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or_default(),
        Some(v @ Value::Array(_)) => serde_json::from_value(v.clone()).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn lockdown(step: StepRecord<'_>) -> Option<String> {
    let mut found = snapshots(step.undo.get("snapshot"));
    if found.is_empty() {
        found = snapshots(step.outputs.get("snapshot"));
    }
    if found.is_empty() {
        return None;
    }
    let groups: Vec<String> = found
        .iter()
        .map(|s| {
            if s.removed.is_empty() && s.added.is_empty() {
                return format!("egress of {} already limited: unchanged", s.group);
            }
            let before: Vec<&EgressRule> = s.removed.iter().chain(&s.kept).collect();
            let after: Vec<&EgressRule> = s.kept.iter().chain(&s.added).collect();
            format!(
                "egress of {} reduced from {} to {}",
                s.group,
                rules_words(&before),
                rules_words(&after)
            )
        })
        .collect();
    Some(format!(
        "{} (undo: `ec2.egress_restore` with this step's snapshot)",
        groups.join("; ")
    ))
}

fn restore(step: StepRecord<'_>) -> Option<String> {
    let back = output(step.outputs, "restored")?;
    let gone = output(step.outputs, "revoked").unwrap_or_else(|| "0".into());
    let groups: Vec<String> = snapshots(step.inputs.get("snapshot"))
        .into_iter()
        .map(|s| s.group)
        .collect();
    let of = if groups.is_empty() {
        String::new()
    } else {
        format!(" of {}", groups.join(", "))
    };
    Some(format!(
        "egress{of} restored: {back} rule(s) put back, {gone} lockdown rule(s) removed"
    ))
}

/// `:40` when both revisions are of the same family, else the whole label.
fn revisions(from: &str, to: &str) -> (String, String) {
    match (from.rsplit_once(':'), to.rsplit_once(':')) {
        (Some((a, x)), Some((b, y))) if a == b => (format!(":{x}"), format!(":{y}")),
        _ => (from.to_string(), to.to_string()),
    }
}

fn rollback(step: StepRecord<'_>) -> Option<String> {
    let from = output(step.outputs, "from_revision")?;
    let to = output(step.outputs, "to_revision")?;
    let service = services(step.inputs).unwrap_or_else(|| "the service".into());
    if from == to {
        return Some(format!("{service} already on {to}: unchanged"));
    }
    let (from, to) = revisions(&from, &to);
    Some(format!("{service} rolled back from {from} to {to}"))
}

fn scale(step: StepRecord<'_>) -> Option<String> {
    let from = output(step.outputs, "previous_count")?;
    let to = output(step.outputs, "count")?;
    let service = services(step.inputs).unwrap_or_else(|| "the service".into());
    Some(if from == to {
        format!("{service} already at {to} task(s): unchanged")
    } else {
        format!("{service} scaled from {from} to {to} task(s)")
    })
}

fn redeploy(step: StepRecord<'_>) -> Option<String> {
    let service = services(step.inputs)?;
    let revision = output(step.outputs, "task_definition")
        .map(|r| format!(" on {r}"))
        .unwrap_or_default();
    Some(format!(
        "{service} redeployed{revision}: every task replaced"
    ))
}

fn rotation(step: StepRecord<'_>) -> Option<String> {
    let versions: serde_json::Map<String, Value> = output(step.outputs, "versions")
        .and_then(|text| serde_json::from_str(&text).ok())
        .or_else(|| {
            step.undo
                .get("versions")
                .and_then(|v| v.as_object().cloned())
        })?;
    let names: Vec<&str> = versions.keys().map(String::as_str).collect();
    let failed = output(step.outputs, "unchanged")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let failed = if failed > 0 {
        format!("; {failed} could not be rotated")
    } else {
        String::new()
    };
    Some(match names.len() {
        0 => format!("no secret rotated{failed}"),
        1 => format!("1 secret given a new value: {}{failed}", names[0]),
        n => format!("{n} secrets given new values: {}{failed}", names.join(", ")),
    })
}

/// `1.2 MB`.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / (1u64 << 10) as f64),
        n => format!("{n} B"),
    }
}

fn flow_top(step: StepRecord<'_>) -> Option<String> {
    let records = output(step.outputs, "records").unwrap_or_else(|| "0".into());
    let Some(top) = output(step.outputs, "top_destination") else {
        return Some(format!("no flow records yet ({records} read)"));
    };
    let size = output(step.outputs, "top_bytes")
        .and_then(|b| b.parse::<u64>().ok())
        .map(bytes)
        .unwrap_or_default();
    let action = output(step.outputs, "top_action")
        .map(|a| format!(", {a}"))
        .unwrap_or_default();
    Some(format!(
        "most bytes went to {top} ({size}{action}), from {records} flow records"
    ))
}

fn flow_logs(step: StepRecord<'_>) -> Option<String> {
    let group = output(step.outputs, "log_group")?;
    let interfaces = output(step.outputs, "network_interfaces")
        .map(|list| list.split(',').filter(|s| !s.is_empty()).count())
        .unwrap_or(0);
    if output(step.outputs, "flow_logs").is_none() {
        return Some(format!("VPC flow logs already on into {group}: unchanged"));
    }
    Some(format!(
        "VPC flow logs turned on for {interfaces} network interface(s), into {group} (undo: `ec2.flow_logs_remove` with this step's `created`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(kind: &str, inputs: Value, outputs: Value, undo: Value) -> Option<String> {
        in_words(StepRecord {
            kind,
            inputs: &inputs,
            outputs: &outputs,
            undo: &undo,
            excerpt: Some("its own line"),
        })
    }

    #[test]
    fn a_lockdown_says_which_rules_went_and_which_stayed() {
        let undo = json!({"snapshot": [{
            "group": "sg-0b4c3a2d1e0f00001",
            "removed": [{"protocol": "-1", "from_port": null, "to_port": null, "destination": {"ipv4": "0.0.0.0/0"}}],
            "added": [
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "destination": {"ipv4": "0.0.0.0/0"}},
                {"protocol": "udp", "from_port": 53, "to_port": 53, "destination": {"ipv4": "0.0.0.0/0"}}
            ]
        }]});
        assert_eq!(
            words("ec2.egress_lockdown", json!(null), json!({}), undo).unwrap(),
            "egress of sg-0b4c3a2d1e0f00001 reduced from all traffic to tcp 443, udp 53 \
             (undo: `ec2.egress_restore` with this step's snapshot)"
        );
    }

    #[test]
    fn a_rollback_names_the_revisions() {
        assert_eq!(
            words(
                "ecs.rollback",
                json!({"cluster": "prod-web", "service": "chatbot-api"}),
                json!({"from_revision": "chatbot-api:41", "to_revision": "chatbot-api:40"}),
                json!(null)
            )
            .unwrap(),
            "chatbot-api rolled back from :41 to :40"
        );
    }

    #[test]
    fn a_rotation_names_the_secrets_never_their_values() {
        let versions =
            json!({"prod/a": {"old": "v1", "new": "v2"}, "prod/b": {"old": "v1", "new": "v2"}});
        let said = words(
            "secrets.rotate",
            json!({}),
            json!({"versions": versions.to_string(), "unchanged": "0"}),
            json!(null),
        )
        .unwrap();
        assert_eq!(said, "2 secrets given new values: prod/a, prod/b");
    }

    #[test]
    fn flow_logs_and_scaling_and_choices_are_said_plainly() {
        assert_eq!(
            words(
                "ec2.flow_logs",
                json!({}),
                json!({"log_group": "/triage/flow-logs/api", "flow_logs": "fl-1,fl-2", "network_interfaces": "eni-1,eni-2"}),
                json!(null)
            )
            .unwrap(),
            "VPC flow logs turned on for 2 network interface(s), into /triage/flow-logs/api (undo: `ec2.flow_logs_remove` with this step's `created`)"
        );
        assert_eq!(
            words(
                "ecs.scale",
                json!({"service": "api"}),
                json!({"previous_count": "2", "count": "4"}),
                json!(null)
            )
            .unwrap(),
            "api scaled from 2 to 4 task(s)"
        );
        assert_eq!(
            words(
                "choice",
                json!({}),
                json!({"choice": "rollback"}),
                json!(null)
            )
            .unwrap(),
            "chose `rollback`"
        );
    }

    #[test]
    fn a_kind_with_nothing_to_add_keeps_its_own_line() {
        assert_eq!(
            words("ecs.wait_steady", json!({}), json!({}), json!(null)).unwrap(),
            "its own line"
        );
        // A record too old to carry its outputs: its own line, not a guess.
        assert_eq!(
            words("ecs.rollback", json!({}), json!({}), json!(null)).unwrap(),
            "its own line"
        );
    }
}
