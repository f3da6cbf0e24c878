//! `triage runbook check`: what docs/specs/RUNBOOK_FORMAT.md says a runbook must be,
//! checked over a parsed runbook. Every problem carries its line.

use super::kinds::{self, StepKind};
use super::model::*;
use super::parse::{parse, Parsed};
use super::values::{references, Reference};
use crate::domain::timeline::Milestone;
use std::collections::HashMap;

/// Parse and lint; problems sorted by line, errors first on the same line.
pub fn check(file: &str, text: &str) -> Parsed {
    let mut parsed = parse(file, text);
    let more = lint(&parsed.runbook);
    parsed.problems.extend(more);
    parsed.problems.sort();
    parsed.problems.dedup();
    parsed
}

pub(crate) fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

pub(crate) fn lint(runbook: &Runbook) -> Vec<Problem> {
    let mut problems = Vec::new();
    if runbook.steps.is_empty() {
        problems.push(Problem::warning(
            1,
            "no steps: a step is a fenced block with `{id=… kind=…}` after its language word",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, step) in runbook.steps.iter().enumerate() {
        if let Some(first) = seen.insert(step.id.as_str(), step.line) {
            problems.push(Problem::error(
                step.line,
                format!("duplicate step id `{}` (first at line {first})", step.id),
            ));
        }
        lint_kind(step, &mut problems);
        lint_references(runbook, index, step, &mut problems);
        lint_attributes(runbook, index, step, &mut problems);
    }
    problems
}

/// A `goto` back to step `target` (or to itself) repeats steps
/// `target..=index` for as long as step `index` fails. Two things can end
/// such a loop: a person answering a step inside it (each lap is their
/// choice), or a `when=` on the failing step (it is skipped once its
/// condition stops holding). Without either, nothing does: an error. (At
/// run time every loop also ends at `MAX_ATTEMPTS_PER_RUN`.)
fn lint_goto_cycle(runbook: &Runbook, target: usize, index: usize, problems: &mut Vec<Problem>) {
    let step = &runbook.steps[index];
    let lap = &runbook.steps[target..=index];
    if lap.iter().any(|s| s.is_question()) || step.attrs.when.is_some() {
        return;
    }
    let message = if target == index {
        format!(
            "step `{}`: `on_failure=goto:{}` jumps to itself: it would run for as long as it \
             fails; use `retries=N` (at most {}) instead",
            step.id,
            step.id,
            super::parse::MAX_RETRIES
        )
    } else {
        let path: Vec<&str> = lap.iter().map(|s| s.id.as_str()).collect();
        format!(
            "step `{}`: `on_failure=goto:{}` repeats {} → {} for as long as `{}` fails, and \
             nothing in that loop can end it (no step asks a person, no `when=` on `{}`); use \
             `retries=N` (at most {}), or put an approve step in the loop",
            step.id,
            lap[0].id,
            path.join(" → "),
            lap[0].id,
            step.id,
            step.id,
            super::parse::MAX_RETRIES
        )
    };
    problems.push(Problem::error(step.line, message));
}

fn lint_kind(step: &Step, problems: &mut Vec<Problem>) {
    // Long on purpose: one arm per step kind's required inputs, in the order of kinds.rs.
    if step.kind_text.is_empty() {
        return; // reported by the parser
    }
    let Some(kind) = step.kind else {
        problems.push(Problem::error(
            step.line,
            format!(
                "step `{}`: unknown kind `{}`; kinds: {}",
                step.id,
                step.kind_text,
                kinds::names().join(", ")
            ),
        ));
        return;
    };
    let spec = kind.spec();
    if kind == StepKind::Shell {
        if !matches!(step.lang.as_str(), "sh" | "bash") {
            problems.push(Problem::error(
                step.line,
                format!(
                    "step `{}`: a shell step's fence must be ```bash or ```sh, not `{}`",
                    step.id, step.lang
                ),
            ));
        }
        return;
    }
    if step.lang != "yaml" && step.lang != "yml" {
        problems.push(Problem::error(
            step.line,
            format!(
                "step `{}`: a `{}` step's fence must be ```yaml (its inputs)",
                step.id, kind
            ),
        ));
    }
    let inputs: serde_norway::Value = if step.body.trim().is_empty() {
        serde_norway::Value::Mapping(Default::default())
    } else {
        match serde_norway::from_str(&step.body) {
            Ok(v) => v,
            Err(e) => {
                let line = step.line + e.location().map(|l| l.line()).unwrap_or(1);
                problems.push(Problem::error(
                    line,
                    format!(
                        "step `{}`: inputs are not valid YAML: {}",
                        step.id,
                        e.to_string().lines().next().unwrap_or("")
                    ),
                ));
                return;
            }
        }
    };
    let Some(map) = inputs.as_mapping() else {
        problems.push(Problem::error(
            step.line,
            format!("step `{}`: inputs must be `key: value` lines", step.id),
        ));
        return;
    };
    for required in spec.required {
        if !map.contains_key(*required) {
            problems.push(Problem::error(
                step.line,
                format!(
                    "step `{}`: `{}` needs the input `{required}`",
                    step.id, kind
                ),
            ));
        }
    }
    for key in map.keys() {
        let key = key.as_str().unwrap_or("");
        if !spec.required.contains(&key) && !spec.optional.contains(&key) {
            let known: Vec<&str> = spec.required.iter().chain(spec.optional).copied().collect();
            problems.push(Problem::error(
                line_in_body(step, key),
                format!(
                    "step `{}`: `{}` has no input `{key}`; its inputs: {}",
                    step.id,
                    kind,
                    known.join(", ")
                ),
            ));
        }
    }
    if kind == StepKind::SecretsRotate {
        if let Some(mode) = map.get("mode").and_then(|m| m.as_str()) {
            if mode != "lambda" && mode != "generate" && !mode.starts_with("${") {
                problems.push(Problem::error(
                    line_in_body(step, "mode"),
                    format!(
                        "step `{}`: `mode: {mode}`: use `lambda` or `generate`",
                        step.id
                    ),
                ));
            }
        }
    }
    if spec.writes && !step.attrs.destructive {
        problems.push(Problem::warning(
            step.line,
            format!(
                "step `{}`: `{}` changes the account; mark it `destructive` so it is confirmed",
                step.id, kind
            ),
        ));
    }
}

fn line_in_body(step: &Step, key: &str) -> usize {
    step.body
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map(|i| step.line + 1 + i)
        .unwrap_or(step.line)
}

fn lint_references(runbook: &Runbook, index: usize, step: &Step, problems: &mut Vec<Problem>) {
    let refs = references(&step.body);
    if step.kind == Some(StepKind::Shell) && !refs.is_empty() {
        problems.push(Problem::error(
            step.line,
            format!(
                "step `{}`: a shell script must not splice `${{…}}` into its text; read $RB_<PARAM> and $RB_<STEP>_<KEY> instead",
                step.id
            ),
        ));
        return;
    }
    for (offset, line_text) in step.body.lines().enumerate() {
        let line = step.line + 1 + offset;
        for reference in references(line_text) {
            match reference {
                Reference::Param(name) => {
                    if runbook.param(&name).is_none() {
                        problems.push(Problem::error(
                            line,
                            format!("step `{}`: `${{params.{name}}}` names no parameter", step.id),
                        ));
                    }
                }
                Reference::Step { step: target, key } => {
                    lint_step_reference(runbook, index, step, &target, &key, line, problems)
                }
                Reference::Malformed(text) => problems.push(Problem::error(
                    line,
                    format!("step `{}`: `${{{text}}}` is not a reference; use ${{params.NAME}} or ${{steps.ID.KEY}}", step.id),
                )),
            }
        }
    }
}

fn lint_step_reference(
    runbook: &Runbook,
    index: usize,
    step: &Step,
    target: &str,
    key: &str,
    line: usize,
    problems: &mut Vec<Problem>,
) {
    match runbook.step_index(target) {
        None => problems.push(Problem::error(
            line,
            format!(
                "step `{}`: `${{steps.{target}.{key}}}` names no step",
                step.id
            ),
        )),
        Some(t) if t >= index => problems.push(Problem::error(
            line,
            format!(
                "step `{}`: `${{steps.{target}.{key}}}` refers to a step that runs later",
                step.id
            ),
        )),
        Some(t) => {
            let other = &runbook.steps[t];
            if let Some(other_kind) = other.kind {
                let spec = other_kind.spec();
                if other_kind != StepKind::Shell && !spec.outputs.contains(&key) {
                    problems.push(Problem::warning(
                        line,
                        format!(
                            "step `{}`: `{}` has no output `{key}`; its outputs: {}",
                            step.id,
                            other_kind,
                            spec.outputs.join(", ")
                        ),
                    ));
                }
            }
        }
    }
}

fn lint_attributes(runbook: &Runbook, index: usize, step: &Step, problems: &mut Vec<Problem>) {
    if step.attrs.destructive
        && !step
            .alert
            .as_ref()
            .is_some_and(|a| matches!(a.kind, AlertKind::Caution | AlertKind::Warning))
    {
        problems.push(Problem::error(
            step.line,
            format!(
                "step `{}` is destructive but no `> [!CAUTION]` or `> [!WARNING]` alert comes before it; say what it changes",
                step.id
            ),
        ));
    }
    if let Some(when) = &step.attrs.when {
        match runbook.step_index(&when.step) {
            None => problems.push(Problem::error(
                step.line,
                format!(
                    "step `{}`: `when={}` names no step",
                    step.id,
                    when.describe()
                ),
            )),
            Some(t) if t >= index => problems.push(Problem::error(
                step.line,
                format!(
                    "step `{}`: `when={}` depends on a step that runs later",
                    step.id,
                    when.describe()
                ),
            )),
            Some(_) => {}
        }
    }
    if let OnFailure::Goto(target) = &step.attrs.on_failure {
        match runbook.step_index(target) {
            None => problems.push(Problem::error(
                step.line,
                format!(
                    "step `{}`: `on_failure=goto:{target}` names no step",
                    step.id
                ),
            )),
            Some(t) if t <= index => lint_goto_cycle(runbook, t, index, problems),
            Some(_) => {}
        }
    }
    if let Some(milestone) = &step.attrs.milestone {
        if let Err(message) = Milestone::parse(milestone) {
            problems.push(Problem::error(
                step.line,
                format!("step `{}`: {message}", step.id),
            ));
        }
    }
    if step.is_question() && step.attrs.destructive {
        problems.push(Problem::warning(
            step.line,
            format!(
                "step `{}`: a `{}` step changes nothing; `destructive` has no effect",
                step.id,
                step.kind_name()
            ),
        ));
    }
}
