//! Long windows with Logs Insights: discovery first (the engine queries
//! every group at once), the window clipped to the longest retention, the
//! least number of calls counted and refused past the cap, then the chunked
//! search.

use crate::domain::logsearch::{LogEvent, Matcher, SearchTarget};
use crate::domain::ports::LogSearchPort;
use crate::settings::SettingsError;
use crate::workers::logsearch::SearchResult;
use crate::workers::pipeline::{retention_matters, CallCap, Clipped, PipelineOutcome};
use chrono::{DateTime, Utc};

/// What the Insights engine needs: it runs on every group at once, so
/// discovery comes first.
pub(super) struct InsightsRun<'a, D, P> {
    pub(super) search: &'a dyn LogSearchPort,
    pub(super) known: Vec<SearchTarget>,
    pub(super) discovery: D,
    pub(super) matcher: &'a Matcher,
    pub(super) window: (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
    pub(super) cap: &'a CallCap,
    pub(super) print: &'a P,
}

/// Long windows: discovery, the window clipped to the longest retention,
/// the least number of calls counted (and refused past the cap), then the
/// chunked Insights search.
pub(super) async fn insights_engine<D, P>(
    run: InsightsRun<'_, D, P>,
) -> Result<(PipelineOutcome, DateTime<Utc>), super::exit::CliError>
where
    D: std::future::Future<Output = Result<Vec<SearchTarget>, crate::domain::PortError>>,
    P: Fn(&[LogEvent], &[SearchTarget]),
{
    // Long on purpose: the CLI's Insights engine: query, poll, bisect and print share the window stack and the printer.
    let InsightsRun {
        search,
        mut known,
        discovery,
        matcher,
        window: (start, end, now),
        cap,
        print,
    } = run;
    let began = std::time::Instant::now();
    let discovered = discovery.await;
    let discovery_took = began.elapsed();
    if let Ok(found) = &discovered {
        for t in found {
            match known.iter_mut().find(|k| k.group == t.group) {
                Some(k) => k.service = k.service.clone().or(t.service.clone()),
                None => known.push(t.clone()),
            }
        }
    }
    let groups: Vec<String> = known.iter().map(|t| t.group.clone()).collect();
    // What is older than every group keeps is gone: no query goes there.
    let mut clipped = Vec::new();
    let mut from = start;
    if retention_matters(start, now) && !groups.is_empty() {
        let mut earliest_kept: Option<DateTime<Utc>> = None;
        let mut all_known = true;
        for group in &groups {
            match search.retention_days(group).await {
                Ok(Some(days)) => {
                    let kept = now - chrono::Duration::days(i64::from(days));
                    if start < kept {
                        clipped.push(Clipped {
                            group: group.clone(),
                            days,
                            from: kept,
                        });
                    }
                    earliest_kept = Some(earliest_kept.map_or(kept, |e| e.min(kept)));
                }
                _ => all_known = false,
            }
        }
        if let (true, Some(kept)) = (all_known, earliest_kept) {
            from = from.max(kept);
        }
    }
    let chunk = crate::workers::insights::chunk_for(from, end);
    let chunks = crate::workers::insights::chunks(from, end, chunk).len() as u64;
    let batches = groups
        .len()
        .div_ceil(crate::workers::insights::GROUPS_PER_QUERY) as u64;
    // Each query is a StartQuery and at least one GetQueryResults.
    let least = chunks * batches * 2;
    if let Some(limit) = cap.limit() {
        if least > limit {
            return Err(SettingsError::Input(format!(
                "this search would make at least {least} calls ({chunks} chunk{} of up to 6 hours × {batches} batch{} of log groups × StartQuery and GetQueryResults), more than the {limit} allowed ([logs] max_calls in the config); narrow the window (--since, --start) or pass --yes to run it anyway",
                if chunks == 1 { "" } else { "s" },
                if batches == 1 { "" } else { "es" },
            ))
            .into());
        }
    }
    let result = if groups.is_empty() {
        SearchResult {
            events: Vec::new(),
            groups: Vec::new(),
        }
    } else {
        crate::workers::insights::insights_search(
            search,
            &groups,
            matcher,
            from,
            end,
            chunk,
            |hits| print(hits, &known),
        )
        .await
    };
    Ok((
        PipelineOutcome {
            result,
            targets: known,
            discovered,
            gone: Vec::new(),
            clipped,
            discovery_took,
            took: began.elapsed(),
        },
        from,
    ))
}
