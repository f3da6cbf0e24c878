//! What the log-line and the X-Ray waterfalls share: spans in absolute
//! time made relative to the request's first moment, parents found by
//! containment or given by ids (a parent that would make a cycle is
//! refused), children clamped into their parents when clocks differ
//! (said, never drawn as negative time), self times and the bottleneck.

use super::{Bottleneck, Span};

/// How far two services' clocks may differ and still be read as nested.
pub const SKEW_MS: i64 = 500;

/// A span in absolute milliseconds, before nesting.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    pub service: String,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub error: bool,
    pub status: Option<u16>,
    /// The parent when the source says it (X-Ray); else found by containment.
    pub parent: Option<usize>,
}

impl Timed {
    fn duration(&self) -> i64 {
        self.end - self.start
    }

    /// How far it sticks out of `other`.
    fn overflow(&self, other: &Timed) -> i64 {
        (other.start - self.start).max(0) + (self.end - other.end).max(0)
    }
}

/// Spans nested and ordered (each parent before its children, siblings by
/// start), relative to the first start, with self times; and what was
/// clamped or refused.
pub fn nest(mut timed: Vec<Timed>, by_containment: bool) -> (Vec<Span>, Vec<String>) {
    let mut notes = Vec::new();
    for t in timed.iter_mut() {
        if t.end < t.start {
            notes.push(format!(
                "{} {} ended before it began: read as instant",
                t.service, t.name
            ));
            t.end = t.start;
        }
    }
    if by_containment {
        for i in 0..timed.len() {
            timed[i].parent = containing(&timed, i);
        }
    } else {
        refuse_cycles(&mut timed, &mut notes);
    }
    clamp(&mut timed, &mut notes);
    let order = tree_order(&timed);
    let position: Vec<usize> = {
        let mut p = vec![0; timed.len()];
        for (new, &old) in order.iter().enumerate() {
            p[old] = new;
        }
        p
    };
    let origin = timed.iter().map(|t| t.start).min().unwrap_or(0);
    let mut spans: Vec<Span> = order
        .iter()
        .map(|&i| {
            let t = &timed[i];
            Span {
                service: t.service.clone(),
                name: t.name.clone(),
                start_ms: t.start - origin,
                duration_ms: t.duration(),
                self_ms: 0,
                error: t.error,
                parent: t.parent.map(|p| position[p]),
                status: t.status,
            }
        })
        .collect();
    for i in 0..spans.len() {
        let children: Vec<(i64, i64)> = spans
            .iter()
            .filter(|c| c.parent == Some(i))
            .map(|c| (c.start_ms, c.end_ms()))
            .collect();
        spans[i].self_ms = (spans[i].duration_ms - covered(&children)).max(0);
    }
    (spans, notes)
}

/// The span that holds span `i` with the least clamping: longer than it
/// (or as long and earlier), sticking out by at most the skew. Parents
/// are always longer, so no cycle can form.
fn containing(timed: &[Timed], i: usize) -> Option<usize> {
    let t = &timed[i];
    (0..timed.len())
        .filter(|&j| j != i)
        .filter(|&j| {
            let q = &timed[j];
            q.duration() > t.duration() || (q.duration() == t.duration() && j < i)
        })
        .filter(|&j| t.overflow(&timed[j]) <= SKEW_MS)
        .min_by_key(|&j| (t.overflow(&timed[j]), timed[j].duration(), j))
}

/// A given parent that leads back to the span itself is cut.
fn refuse_cycles(timed: &mut [Timed], notes: &mut Vec<String>) {
    for i in 0..timed.len() {
        let mut seen = vec![i];
        let mut at = timed[i].parent;
        while let Some(p) = at {
            if p >= timed.len() || seen.contains(&p) {
                let from = seen.last().copied().unwrap_or(i);
                timed[from].parent = None;
                notes.push(format!(
                    "{}'s parent would make a cycle: drawn at the top",
                    timed[from].name
                ));
                break;
            }
            seen.push(p);
            at = timed[p].parent;
        }
    }
}

/// Children into their parents, parents first (the longer first).
fn clamp(timed: &mut [Timed], notes: &mut Vec<String>) {
    let mut by_depth: Vec<(usize, usize)> =
        (0..timed.len()).map(|i| (depth(timed, i), i)).collect();
    by_depth.sort_unstable();
    for (_, i) in by_depth {
        let Some(p) = timed[i].parent else { continue };
        let (ps, pe) = (timed[p].start, timed[p].end);
        let (ts, te) = (timed[i].start, timed[i].end);
        if ts < ps || te > pe {
            let off = (ps - ts).max(0) + (te - pe).max(0);
            notes.push(format!(
                "clock skew of {off} ms between {} and {} clamped",
                timed[p].service, timed[i].service
            ));
            let start = ts.clamp(ps, pe);
            timed[i].start = start;
            timed[i].end = te.clamp(start, pe);
        }
    }
}

fn depth(timed: &[Timed], mut i: usize) -> usize {
    let mut d = 0;
    while let Some(p) = timed[i].parent {
        d += 1;
        i = p;
        if d > timed.len() {
            break;
        }
    }
    d
}

/// Roots by start, each followed by its children by start (depth first).
fn tree_order(timed: &[Timed]) -> Vec<usize> {
    let by_start = |ids: &mut Vec<usize>| {
        ids.sort_by_key(|&i| (timed[i].start, std::cmp::Reverse(timed[i].duration()), i))
    };
    let mut roots: Vec<usize> = (0..timed.len())
        .filter(|&i| timed[i].parent.is_none())
        .collect();
    by_start(&mut roots);
    let mut out = Vec::with_capacity(timed.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        out.push(i);
        let mut children: Vec<usize> = (0..timed.len())
            .filter(|&c| timed[c].parent == Some(i))
            .collect();
        by_start(&mut children);
        stack.extend(children.into_iter().rev());
    }
    out
}

/// How much of the time the intervals cover together.
fn covered(intervals: &[(i64, i64)]) -> i64 {
    let mut sorted = intervals.to_vec();
    sorted.sort_unstable();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for (s, e) in sorted {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

/// The span with the largest self time (the first of equals).
pub fn bottleneck(spans: &[Span]) -> Option<Bottleneck> {
    let best = spans
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (s.self_ms, std::cmp::Reverse(*i)))?
        .1;
    Some(Bottleneck {
        service: best.service.clone(),
        name: best.name.clone(),
        self_ms: best.self_ms,
    })
}

/// From the first start to the last end.
pub fn total(spans: &[Span]) -> i64 {
    spans.iter().map(Span::end_ms).max().unwrap_or(0)
}
