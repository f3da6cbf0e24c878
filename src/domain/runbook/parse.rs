//! Markdown → [`Runbook`]: YAML front matter, fenced steps with attributes
//! after the language word, the prose around them and their source lines.
//! Parsing never fails: what it cannot read becomes a [`Problem`] and the rest
//! is still returned, so `check` can report everything at once.

use super::attributes::apply_attribute;
pub use super::attributes::{parse_condition, split_info, MAX_RETRIES};
use super::model::*;
use super::values::parse_param_default;
use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};

/// A runbook as far as it could be read, and what was wrong with it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub runbook: Runbook,
    pub problems: Vec<Problem>,
}

const FRONT_MATTER_KEYS: [&str; 9] = [
    "runbook",
    "id",
    "title",
    "tags",
    "when",
    "params",
    "defaults",
    "description",
    "owner",
];
const PARAM_KEYS: [&str; 7] = [
    "type",
    "required",
    "default",
    "pattern",
    "choices",
    "secret",
    "description",
];
pub(crate) const STEP_ATTRIBUTES: [&str; 9] = [
    "id",
    "kind",
    "destructive",
    "confirm",
    "timeout",
    "retries",
    "on_failure",
    "when",
    "milestone",
];

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a runbook file's text. `file` is only used in the result.
pub fn parse(file: &str, text: &str) -> Parsed {
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let mut runbook = Runbook {
        file: file.to_string(),
        id: String::new(),
        title: String::new(),
        tags: Vec::new(),
        when: Vec::new(),
        params: Vec::new(),
        intro: String::new(),
        steps: Vec::new(),
        content_sha: sha256_hex(text.as_bytes()),
    };
    let (defaults, body_start) = match split_front_matter(text) {
        Some((yaml, yaml_start, body_start)) => {
            let defaults =
                read_front_matter(yaml, lines.line_of(yaml_start), &mut runbook, &mut problems);
            (defaults, body_start)
        }
        None => {
            problems.push(Problem::error(
                1,
                "no front matter: a runbook starts with `---`, then `runbook: 1`, `id`, `title` and `params`, then `---`",
            ));
            (StepAttrs::default(), 0)
        }
    };
    read_steps(
        text,
        body_start,
        &lines,
        &defaults,
        &mut runbook,
        &mut problems,
    );
    if runbook.title.is_empty() {
        if let Some(step) = runbook.steps.first() {
            runbook.title = step.title.clone();
        }
    }
    Parsed { runbook, problems }
}

/// Byte offsets of line starts, for 1-based line numbers.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }
    fn line_of(&self, offset: usize) -> usize {
        match self.0.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// `---\n<yaml>\n---\n` at byte 0 → (yaml, yaml offset, body offset).
fn split_front_matter(text: &str) -> Option<(&str, usize, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_end + 1;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Some((&text[yaml_start..offset], yaml_start, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

fn read_front_matter(
    yaml: &str,
    first_line: usize,
    runbook: &mut Runbook,
    problems: &mut Vec<Problem>,
) -> StepAttrs {
    // Long on purpose: every front-matter key with its own error message, in the order RUNBOOK_FORMAT.md lists them.
    let mut defaults = StepAttrs::default();
    let doc: serde_norway::Value = match serde_norway::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map(|l| l.line()).unwrap_or(1) + first_line - 1;
            problems.push(Problem::error(
                line,
                format!(
                    "front matter is not valid YAML: {}",
                    first_sentence(&e.to_string())
                ),
            ));
            return defaults;
        }
    };
    let line_of_key = |key: &str| -> usize {
        yaml.lines()
            .position(|l| {
                l.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map(|i| i + first_line)
            .unwrap_or(first_line)
    };
    let Some(map) = doc.as_mapping() else {
        problems.push(Problem::error(
            first_line,
            "front matter must be a YAML mapping (`key: value` lines)",
        ));
        return defaults;
    };
    for key in map.keys() {
        let name = key.as_str().unwrap_or("");
        if !FRONT_MATTER_KEYS.contains(&name) {
            problems.push(Problem::warning(
                line_of_key(name),
                format!(
                    "unknown front matter key `{name}`; known keys: {}",
                    FRONT_MATTER_KEYS.join(", ")
                ),
            ));
        }
    }
    match doc.get("runbook") {
        Some(v) if v.as_u64() == Some(1) => {}
        Some(v) => problems.push(Problem::error(
            line_of_key("runbook"),
            format!(
                "`runbook: {}` is not a format version triage knows; use `runbook: 1`",
                yaml_text(v)
            ),
        )),
        None => problems.push(Problem::error(
            first_line,
            "front matter lacks `runbook: 1` (the format version)",
        )),
    }
    match doc.get("id").and_then(scalar_text) {
        Some(id) if is_slug(&id) => runbook.id = id,
        Some(id) => problems.push(Problem::error(
            line_of_key("id"),
            format!("runbook id `{id}` must be a slug: lower-case letters, digits, `-` and `_`"),
        )),
        None => problems.push(Problem::error(first_line, "front matter lacks `id`")),
    }
    match doc.get("title").and_then(scalar_text) {
        Some(t) => runbook.title = t,
        None => problems.push(Problem::error(first_line, "front matter lacks `title`")),
    }
    if let Some(tags) = doc.get("tags") {
        match tags.as_sequence() {
            Some(items) => runbook.tags = items.iter().filter_map(scalar_text).collect(),
            None => problems.push(Problem::error(
                line_of_key("tags"),
                "`tags` must be a list, e.g. `tags: [ecs, availability]`",
            )),
        }
    }
    if let Some(when) = doc.get("when") {
        let line = line_of_key("when");
        match when.as_sequence() {
            Some(items) => {
                for item in items {
                    let text = scalar_text(item).unwrap_or_else(|| yaml_text(item));
                    match super::fit::Fit::parse(&text) {
                        Ok(fit) => runbook.when.push(fit),
                        Err(message) => problems.push(Problem::error(line, message)),
                    }
                }
            }
            None => problems.push(Problem::error(
                line,
                format!(
                    "`when` must be a list, e.g. `when: [no_running_tasks]`; conditions: {}",
                    super::fit::FIT_WORDS
                ),
            )),
        }
    }
    if let Some(params) = doc.get("params") {
        match params.as_mapping() {
            Some(map) => {
                for (name, spec) in map {
                    let name = name.as_str().unwrap_or("").to_string();
                    let line = line_of_key(&name);
                    if let Some(p) = read_param(&name, spec, line, problems) {
                        runbook.params.push(p);
                    }
                }
            }
            None if params.is_null() => {}
            None => problems.push(Problem::error(
                line_of_key("params"),
                "`params` must map names to specs, e.g. `cluster: { type: string, required: true }`",
            )),
        }
    }
    if let Some(d) = doc.get("defaults") {
        let line = line_of_key("defaults");
        match d.as_mapping() {
            Some(map) => {
                for (key, value) in map {
                    let key = key.as_str().unwrap_or("");
                    let text = scalar_text(value).unwrap_or_default();
                    if let Err(message) = apply_attribute(&mut defaults, key, Some(&text)) {
                        problems.push(Problem::error(line, format!("defaults: {message}")));
                    }
                }
            }
            None => problems.push(Problem::error(line, "`defaults` must be a mapping")),
        }
    }
    defaults
}

fn read_param(
    name: &str,
    spec: &serde_norway::Value,
    line: usize,
    problems: &mut Vec<Problem>,
) -> Option<ParamSpec> {
    // Long on purpose: every parameter key with its own error message, in the order RUNBOOK_FORMAT.md lists them.
    if !is_slug(name) {
        problems.push(Problem::error(
            line,
            format!("parameter name `{name}` must be lower-case letters, digits and `_`"),
        ));
        return None;
    }
    let Some(map) = spec.as_mapping() else {
        problems.push(Problem::error(
            line,
            format!("parameter `{name}` needs a spec, e.g. `{name}: {{ type: string, required: true }}`"),
        ));
        return None;
    };
    for key in map.keys() {
        let key = key.as_str().unwrap_or("");
        if !PARAM_KEYS.contains(&key) {
            problems.push(Problem::error(
                line,
                format!(
                    "parameter `{name}`: unknown key `{key}`; known keys: {}",
                    PARAM_KEYS.join(", ")
                ),
            ));
        }
    }
    let type_text = spec
        .get("type")
        .and_then(scalar_text)
        .unwrap_or_else(|| "string".into());
    let Some(ty) = ParamType::parse(&type_text) else {
        problems.push(Problem::error(
            line,
            format!(
                "parameter `{name}`: unknown type `{type_text}`; use string, integer, bool or list"
            ),
        ));
        return None;
    };
    let flag = |key: &str| spec.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
    let pattern = spec.get("pattern").and_then(scalar_text);
    if let Some(p) = &pattern {
        if let Err(e) = regex::Regex::new(p) {
            problems.push(Problem::error(
                line,
                format!(
                    "parameter `{name}`: pattern is not a valid regex: {}",
                    first_sentence(&e.to_string())
                ),
            ));
        }
    }
    let choices: Vec<String> = spec
        .get("choices")
        .and_then(|v| v.as_sequence())
        .map(|items| items.iter().filter_map(scalar_text).collect())
        .unwrap_or_default();
    let mut param = ParamSpec {
        name: name.to_string(),
        ty,
        required: flag("required"),
        default: None,
        pattern,
        choices,
        secret: flag("secret"),
        description: spec.get("description").and_then(scalar_text),
        line,
    };
    if let Some(default) = spec.get("default") {
        match parse_param_default(&param, default) {
            Ok(v) => param.default = Some(v),
            Err(message) => problems.push(Problem::error(line, message)),
        }
    }
    if param.secret && param.default.is_some() {
        problems.push(Problem::error(
            line,
            format!("parameter `{name}` is secret and must not have a default in the file"),
        ));
    }
    Some(param)
}

/// A YAML scalar as text (strings, numbers, booleans).
pub(crate) fn scalar_text(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        serde_norway::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn yaml_text(v: &serde_norway::Value) -> String {
    scalar_text(v).unwrap_or_else(|| "…".into())
}

fn first_sentence(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// State while walking the markdown events.
#[derive(Default)]
struct Walk {
    heading: String,
    in_heading: bool,
    heading_text: String,
    quote_depth: usize,
    quote: Option<(AlertKind, String, usize)>,
    alert: Option<Alert>,
    prose_from: usize,
    code: Option<(String, usize, String)>,
}

fn read_steps(
    text: &str,
    body_start: usize,
    lines: &LineIndex,
    defaults: &StepAttrs,
    runbook: &mut Runbook,
    problems: &mut Vec<Problem>,
) {
    // Long on purpose: walking the markdown events once: headings, prose, fenced blocks and attributes share the parser's state.
    let body = &text[body_start..];
    let options = Options::ENABLE_GFM
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut walk = Walk {
        prose_from: body_start,
        ..Walk::default()
    };
    let mut intro_done = false;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let start = range.start + body_start;
        let end = range.end + body_start;
        match event {
            Event::Start(Tag::Heading { .. }) => {
                walk.in_heading = true;
                walk.heading_text.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                walk.in_heading = false;
                walk.heading = strip_numbering(walk.heading_text.trim());
            }
            Event::Start(Tag::BlockQuote(kind)) => {
                walk.quote_depth += 1;
                if let Some(kind) = kind {
                    walk.quote = Some((alert_kind(kind), String::new(), lines.line_of(start)));
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                walk.quote_depth = walk.quote_depth.saturating_sub(1);
                if walk.quote_depth == 0 {
                    if let Some((kind, text, line)) = walk.quote.take() {
                        walk.alert = Some(Alert {
                            kind,
                            text: text.trim().to_string(),
                            line,
                        });
                    }
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                walk.code = Some((info.to_string(), start, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, fence_start, content)) = walk.code.take() {
                    let line = lines.line_of(fence_start);
                    let prose_from = walk.prose_from;
                    if let Some(step) = read_step(
                        &info,
                        &content,
                        line,
                        defaults,
                        &mut walk,
                        &text[prose_from..fence_start],
                        problems,
                    ) {
                        if !intro_done {
                            runbook.intro = text[body_start..fence_start].to_string();
                            intro_done = true;
                        }
                        walk.prose_from = end;
                        runbook.steps.push(step);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if walk.in_heading {
                    walk.heading_text.push_str(&t);
                }
                if let Some((_, ref mut q, _)) = walk.quote {
                    q.push_str(&t);
                    q.push(' ');
                }
                if let Some((_, _, ref mut content)) = walk.code {
                    content.push_str(&t);
                }
            }
            _ => {}
        }
    }
    if !intro_done {
        runbook.intro = body.to_string();
    }
}

fn alert_kind(kind: BlockQuoteKind) -> AlertKind {
    match kind {
        BlockQuoteKind::Note => AlertKind::Note,
        BlockQuoteKind::Tip => AlertKind::Tip,
        BlockQuoteKind::Important => AlertKind::Important,
        BlockQuoteKind::Warning => AlertKind::Warning,
        BlockQuoteKind::Caution => AlertKind::Caution,
    }
}

/// `2. Roll back` → `Roll back`.
fn strip_numbering(heading: &str) -> String {
    let digits = heading.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        let rest = &heading[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r.trim().to_string();
        }
    }
    heading.to_string()
}

fn read_step(
    info: &str,
    content: &str,
    line: usize,
    defaults: &StepAttrs,
    walk: &mut Walk,
    prose: &str,
    problems: &mut Vec<Problem>,
) -> Option<Step> {
    let (lang, attrs) = match split_info(info) {
        Ok(parts) => parts,
        Err(message) => {
            problems.push(Problem::error(line, message));
            return None;
        }
    };
    // Only fences with an `id` run; the others are examples.
    let id = attrs.iter().find(|(k, _)| k == "id")?.1.clone();
    let mut step = Step {
        id: id.clone().unwrap_or_default(),
        kind: None,
        kind_text: String::new(),
        title: walk.heading.clone(),
        prose: prose.trim().to_string(),
        lang: lang.clone(),
        body: content.to_string(),
        attrs: defaults.clone(),
        alert: walk.alert.take(),
        line,
        sha: sha256_hex(format!("{info}\n{content}").as_bytes()),
    };
    if step.id.is_empty() {
        problems.push(Problem::error(
            line,
            "`id=` needs a value, e.g. `id=rollback`",
        ));
    } else if !is_slug(&step.id) {
        problems.push(Problem::error(
            line,
            format!(
                "step id `{}` must be lower-case letters, digits, `-` and `_`",
                step.id
            ),
        ));
    }
    for (key, value) in &attrs {
        match key.as_str() {
            "id" => {}
            "kind" => {
                step.kind_text = value.clone().unwrap_or_default();
                step.kind = super::kinds::StepKind::parse(&step.kind_text);
            }
            other => {
                if let Err(message) = apply_attribute(&mut step.attrs, other, value.as_deref()) {
                    problems.push(Problem::error(
                        line,
                        format!("step `{}`: {message}", step.id),
                    ));
                }
            }
        }
    }
    if step.kind_text.is_empty() {
        problems.push(Problem::error(
            line,
            format!(
                "step `{}` has no `kind=`; e.g. `kind=shell` or `kind=ecs.rollback`",
                step.id
            ),
        ));
    }
    if step.attrs.confirm != Confirm::None && !step.attrs.destructive {
        // `confirm=` alone still asks; nothing to report.
    }
    Some(step)
}

/// `yaml {id=x kind=y destructive note="a b"}` → (`yaml`, [(id, x), …]).
/// Fence attributes in order: `key=value` or a bare `flag`.
pub(crate) type Attributes = Vec<(String, Option<String>)>;
