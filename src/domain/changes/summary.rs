//! One line of what a CloudTrail event did, from the request fields that
//! say it — the revision deployed, the rule's ports and ranges, the secret,
//! the role and its policy — never a value (secrets and environment values
//! are not even kept). Names are cleaned for a terminal.

use super::super::sanitize::one_line;
use super::super::service::revision_label;
use super::trail::TrailEvent;
use serde_json::Value;

/// A summary is cut at this many characters.
const SUMMARY_CHARS: usize = 160;

/// One line of what the event did, from the request fields that say it
/// (never a value: secrets and environment values are not kept).
pub(crate) fn summary(event: &TrailEvent, registered: Option<&str>) -> String {
    let p = |name: &str| event.param(name).map(label).unwrap_or_default();
    let name = event.name.as_str();
    let text = match name {
        "UpdateService" | "CreateService" | "DeleteService" => {
            let mut text = format!("{} {}", name, p("service").if_empty(&p("serviceName")));
            if let Some(td) = event.param("taskDefinition") {
                text.push_str(&format!(" → {}", revision_label(td)));
            }
            if let Some(n) = event.request.get("desiredCount").and_then(Value::as_u64) {
                text.push_str(&format!(" (desired {n})"));
            }
            if event.request.get("forceNewDeployment") == Some(&Value::Bool(true)) {
                text.push_str(" (forced)");
            }
            text
        }
        "RegisterTaskDefinition" => match registered {
            Some(arn) => format!("registered {}", revision_label(arn)),
            None => format!("registered {}", p("family")),
        },
        "DeregisterTaskDefinition" => format!("deregistered {}", p("taskDefinition")),
        n if n.contains("SecurityGroup") => {
            let rules = rules_of(&event.request);
            format!("{n} {}{}", p("groupId"), rules)
        }
        "ModifyTargetGroup" | "ModifyTargetGroupAttributes" => {
            let mut text = format!("{name} {}", p("targetGroupArn"));
            for field in [
                "healthCheckPath",
                "healthCheckIntervalSeconds",
                "unhealthyThresholdCount",
            ] {
                if let Some(v) = event.request.get(field) {
                    text.push_str(&format!(" {field}={}", scalar(v)));
                }
            }
            text
        }
        "ModifyListener" | "CreateRule" | "ModifyRule" | "DeleteRule" | "DeleteListener" => {
            format!("{name} {}", p("listenerArn").if_empty(&p("ruleArn")))
        }
        "PutSecretValue" | "UpdateSecret" | "RotateSecret" | "DeleteSecret" | "RestoreSecret" => {
            format!("{name} {}", p("secretId"))
        }
        "PutParameter" | "DeleteParameter" => format!("{name} {}", p("name")),
        "AttachRolePolicy"
        | "DetachRolePolicy"
        | "PutRolePolicy"
        | "DeleteRolePolicy"
        | "UpdateAssumeRolePolicy" => format!(
            "{name} {} {}",
            p("roleName"),
            p("policyArn").if_empty(&p("policyName"))
        ),
        "PutScalingPolicy"
        | "DeleteScalingPolicy"
        | "RegisterScalableTarget"
        | "DeregisterScalableTarget"
        | "PutScheduledAction" => {
            let mut text = format!("{name} {}", p("resourceId"));
            for field in ["minCapacity", "maxCapacity"] {
                if let Some(v) = event.request.get(field) {
                    text.push_str(&format!(" {field}={}", scalar(v)));
                }
            }
            text
        }
        "PutClusterCapacityProviders" | "UpdateCluster" | "UpdateClusterSettings" => {
            format!("{name} {}", p("cluster"))
        }
        _ => format!(
            "{name} {}",
            event.names.first().map(|n| label(n)).unwrap_or_default()
        ),
    };
    one_line(text.trim())
}

/// The ports and ranges of a security-group call: `tcp 443 to 0.0.0.0/0`.
fn rules_of(request: &Value) -> String {
    let items = request["ipPermissions"]["items"]
        .as_array()
        .or_else(|| request["ipPermissions"].as_array());
    let Some(items) = items else {
        return String::new();
    };
    let rules: Vec<String> = items
        .iter()
        .take(4)
        .map(|item| {
            let protocol = match item["ipProtocol"].as_str() {
                Some("-1") => "all".to_string(),
                Some(p) => p.to_string(),
                None => "?".into(),
            };
            let ports = match (item["fromPort"].as_i64(), item["toPort"].as_i64()) {
                (Some(a), Some(b)) if a == b => format!(" {a}"),
                (Some(a), Some(b)) if a >= 0 => format!(" {a}-{b}"),
                _ => String::new(),
            };
            let ranges = item["ipRanges"]["items"]
                .as_array()
                .or_else(|| item["ipRanges"].as_array())
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x["cidrIp"].as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            let to = if ranges.is_empty() {
                String::new()
            } else {
                format!(" {ranges}")
            };
            format!("{protocol}{ports}{to}")
        })
        .collect();
    if rules.is_empty() {
        String::new()
    } else {
        format!(": {}", rules.join("; "))
    }
}

/// An ARN or a name as shown: the part after the last `/` for ARNs of a
/// resource path, the whole otherwise.
fn label(text: &str) -> String {
    let shown = if text.starts_with("arn:") {
        text.rsplit_once(':')
            .map(|(head, tail)| {
                if head.ends_with(":secret") || head.contains(":parameter") {
                    tail
                } else {
                    text.rsplit('/').next().unwrap_or(tail)
                }
            })
            .unwrap_or(text)
    } else {
        text
    };
    one_line(shown)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => one_line(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "…".into(),
    }
}

pub(crate) fn cut(text: &str) -> String {
    if text.chars().count() <= SUMMARY_CHARS {
        return text.to_string();
    }
    let mut s: String = text.chars().take(SUMMARY_CHARS - 1).collect();
    s.push('…');
    s
}

trait IfEmpty {
    fn if_empty(self, other: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, other: &str) -> String {
        if self.is_empty() {
            other.to_string()
        } else {
            self
        }
    }
}
