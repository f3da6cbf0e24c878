//! `triage wait`: poll one service until it is healthy, steady, or its
//! alarms OK — "roll back, then wait until steady" in a script. Each look
//! is one DescribeServices (and one DescribeAlarms when alarms matter),
//! through the same budgets as every other read. Exit 0 when reached, 1 at
//! the timeout (saying what it still waits for), 2 bad input, 3 AWS error.

use super::exit::{self, CliError};
use super::output::schema::{Place, Version};
use super::output::shapes::wait::{LookJson, WaitDoc};
use super::Format;
use crate::domain::alarms::{tie, AlarmMapping};
use crate::domain::ranking::rank_watched;
use crate::domain::sanitize::one_line;
use crate::domain::until::{got_worse, pending, reached, Look, Until};
use crate::domain::Clock;
use crate::wiring::Account;
use clap::Args;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The service: CLUSTER/SERVICE
    #[arg(long, value_name = "CLUSTER/SERVICE")]
    pub service: String,

    /// What to wait for: healthy (as `triage status` says, its alarms OK),
    /// steady (one deployment, its counts met) or alarm-ok
    #[arg(long, default_value = "healthy", value_parser = parse_until)]
    pub until: Until,

    /// How long to wait at most: 90s, 15m, 1h
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How often to look: 5s by default, 1s at least
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub every: Duration,

    /// Ring the terminal's bell and show a desktop notification (OSC 9)
    /// when it is reached, when it gets worse, and at the timeout
    #[arg(long)]
    pub notify: bool,

    /// The account and Region of the service, when several are watched: NAME/REGION
    #[arg(long, value_name = "NAME/REGION")]
    pub pair: Option<String>,

    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

fn parse_until(text: &str) -> Result<Until, String> {
    Until::parse(text).map_err(|e| e.to_string())
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::domain::timeline::time_input::parse_span(text)
        .map_err(|e| e.to_string())?
        .to_std()
        .map_err(|_| format!("`{text}` is not a span of time: write 90s, 15m or 1h"))
}

/// One look: the service (its verdict with its alarms, as `status` ranks it).
async fn look_at(
    account: &Account,
    (cluster, name): (&str, &str),
    until: Until,
    mappings: &[AlarmMapping],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Look, String), CliError> {
    let service = account.ecs.service(cluster, name).await?;
    let arn = service.arn.clone();
    let alarms = match (until.needs_alarms(), account.monitoring.as_deref()) {
        (true, Some(monitoring)) => {
            let read =
                crate::workers::watch::read_alarms(monitoring, &service.target_groups).await?;
            tie(
                read.alarms,
                std::slice::from_ref(&service),
                &read.target_groups,
                mappings,
            )
        }
        _ => Vec::new(),
    };
    let ranked = rank_watched(vec![service], now, &alarms);
    let look = ranked
        .first()
        .map(|r| Look::of(r, &alarms))
        .expect("one service ranked");
    Ok((look, arn))
}

/// The bell and (unless `[notify] desktop = false`) an OSC 9 desktop
/// notification, on a terminal only.
fn notify(text: &str, desktop: bool) {
    use std::io::{IsTerminal, Write};
    let mut stderr = std::io::stderr();
    if stderr.is_terminal() {
        let text = one_line(text).replace(['\u{7}', '\u{1b}'], "");
        let _ = if desktop {
            write!(stderr, "\u{7}\u{1b}]9;triage: {text}\u{7}")
        } else {
            write!(stderr, "\u{7}")
        };
        let _ = stderr.flush();
    }
}

/// `12:03:04 prod-web/api deploying: rolling out api:7 (1 of 2 new running)`.
fn said(look: &Look, service: &str, clock: &dyn Clock) -> String {
    let mut line = format!(
        "{} {service} {}: {}",
        clock.now().format("%H:%M:%S"),
        look.health.as_str(),
        one_line(&look.reason)
    );
    for alarm in look.alarms_not_said() {
        line.push_str(&format!(" · alarm {} in ALARM", one_line(alarm)));
    }
    line
}

/// Where and how `wait` reads and tells.
pub struct WaitScope<'a> {
    pub pair: &'a crate::domain::Pair,
    pub mappings: &'a [AlarmMapping],
    /// `[notify] desktop`.
    pub desktop: bool,
}

pub async fn run(
    args: &WaitArgs,
    account: &Account,
    scope: &WaitScope<'_>,
    clock: &dyn Clock,
) -> Result<u8, CliError> {
    let (pair, mappings, desktop) = (scope.pair, scope.mappings, scope.desktop);
    let Some((cluster, name)) = args
        .service
        .split_once('/')
        .filter(|(c, n)| !c.is_empty() && !n.is_empty() && !n.contains('/'))
    else {
        crate::errln!(
            "error: --service {}: write CLUSTER/SERVICE, e.g. --service prod-web/chatbot-api",
            one_line(&args.service)
        );
        return Ok(exit::USAGE);
    };
    // Said back in every line: cleaned of control and bidi characters once.
    let service = one_line(&format!("{cluster}/{name}"));
    let every = args.every.max(Duration::from_secs(1));
    let started = Instant::now();
    let deadline = started + args.timeout;
    let mut looks = 0u32;
    let mut worse = Vec::new();
    let mut last: Option<Look> = None;
    let (look, arn) = loop {
        looks += 1;
        let (look, arn) =
            match look_at(account, (cluster, name), args.until, mappings, clock.now()).await {
                Ok(found) => found,
                Err(err) if err.port_error().and_then(|e| e.missing()).is_some() => {
                    crate::errln!(
                        "error: --service {service}: {err}; `triage status` lists the services"
                    );
                    return Ok(exit::USAGE);
                }
                Err(err) => return Err(err),
            };
        if last.as_ref() != Some(&look) {
            crate::errln!("{}", said(&look, &service, clock));
        }
        if let Some(how) = last.as_ref().and_then(|before| got_worse(before, &look)) {
            crate::errln!("{service} got worse: {}", one_line(&how));
            if args.notify {
                notify(&format!("{service} got worse: {how}"), desktop);
            }
            worse.push(one_line(&how));
        }
        let done = reached(args.until, &look) || Instant::now() >= deadline;
        last = Some(look.clone());
        if done {
            break (look, arn);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(every.min(left)).await;
    };
    let is_reached = reached(args.until, &look);
    let waited = started.elapsed().as_secs();
    let still = pending(args.until, &look);
    let verdict = if is_reached {
        format!(
            "{service} is {} (waited {waited} s, {looks} look{})",
            args.until.as_str(),
            if looks == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "timed out after {waited} s: {service} is not {} yet; still waiting for: {}",
            args.until.as_str(),
            one_line(&still)
        )
    };
    if args.notify {
        notify(&verdict, desktop);
    }
    match args.output {
        Format::Json => crate::outln!(
            "{}",
            super::output::json_text(&WaitDoc {
                schema_version: Version,
                service,
                place: Place::of(pair, None, &arn),
                until: args.until.as_str().into(),
                reached: is_reached,
                waited_seconds: waited,
                looks,
                pending: one_line(&still),
                got_worse: worse,
                last: LookJson::of(&look),
            })
        ),
        Format::Text if is_reached => crate::outln!("{verdict}"),
        Format::Text => crate::errln!("{verdict}"),
    }
    Ok(if is_reached {
        exit::OK
    } else {
        exit::PROBLEM_FOUND
    })
}
