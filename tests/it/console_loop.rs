//! The console loop answers a key the moment it arrives, whatever else it is
//! doing: here the tick is an hour long, so any key that waited for it would
//! never be answered within the test's deadline. Worker results from the
//! demo account flow at the same time, as they do in the console.
//!
//! Keys come from a stream that behaves like crossterm's `EventStream`: it
//! keeps the waker of the first poll that found nothing and wakes only that
//! one. Polled from outside its task (`now_or_never()` in a drain), such a
//! stream never wakes the loop again; read by the console's reader job, it
//! does at once.

use crate::support::console::{demo_session, render};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use triage::app::{AppState, Effect};
use triage::console::event_loop::{run_loop, Carried, Carrier, Input, LoopIo};
use triage::demo::scenario::Scenario;
use triage::demo::DemoAccount;
use triage::domain::Clock;
use triage::settings::ThemeSpec;
use triage::workers::Workers;

struct Wall;
impl Clock for Wall {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Effects go to real workers over the demo account (no journal here).
struct DemoCarrier(Workers);
impl Carrier for DemoCarrier {
    fn carry(&mut self, effect: Effect) -> Carried {
        match effect {
            Effect::Quit => Carried::Quit,
            Effect::Journal(_) | Effect::Copy(_) => Carried::Started,
            other => {
                self.0.run(other);
                Carried::Started
            }
        }
    }
}

/// Terminal events pushed by the test; like `EventStream`, it remembers
/// only the waker of the poll that first found it empty.
#[derive(Clone, Default)]
struct Terminal(Arc<Mutex<Queue>>);

#[derive(Default)]
struct Queue {
    events: VecDeque<Event>,
    waker: Option<Waker>,
}

impl Terminal {
    fn send(&self, event: Event) {
        let waker = {
            let mut q = self.0.lock().unwrap();
            q.events.push_back(event);
            q.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl Stream for Terminal {
    type Item = std::io::Result<Event>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut q = self.0.lock().unwrap();
        match q.events.pop_front() {
            Some(e) => Poll::Ready(Some(Ok(e))),
            None => {
                if q.waker.is_none() {
                    q.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn esc() -> Event {
    Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
}

/// Wait for a frame that `wanted` accepts; fail when none comes in time.
async fn frame_where(
    frames: &mut UnboundedReceiver<String>,
    what: &str,
    wanted: impl Fn(&str) -> bool,
) -> Duration {
    let started = std::time::Instant::now();
    let deadline = Duration::from_secs(5);
    loop {
        match tokio::time::timeout(deadline.saturating_sub(started.elapsed()), frames.recv()).await
        {
            Ok(Some(frame)) if wanted(&frame) => return started.elapsed(),
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the loop ended while waiting for {what}"),
            Err(_) => panic!(
                "no frame showed {what} within {deadline:?}: the key waited for something else \
                 (the tick is an hour)"
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_is_answered_at_once_not_at_the_next_tick() {
    let scenario = Scenario::load("saas").unwrap();
    let clock: Arc<dyn Clock> = Arc::new(Wall);
    let account = Arc::new(DemoAccount::new(&scenario, clock.clone()).without_latency());
    let (results_tx, mut results) = unbounded_channel();
    let workers = Workers::new(account.clone(), results_tx).with_logs(account);
    let mut state = AppState::new(
        demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        true,
        clock.now(),
    );
    state.width = 100;
    state.height = 30;
    let mut carrier = DemoCarrier(workers);
    let first = triage::app::update::init(&mut state);
    for effect in first {
        carrier.carry(effect);
    }

    let (inputs_tx, mut inputs) = unbounded_channel();
    let terminal = Terminal::default();
    let events = terminal.clone();
    let mut reader =
        triage::console::input::spawn_reader_from(move || events, inputs_tx.clone()).unwrap();
    let (frames_tx, mut frames) = unbounded_channel::<String>();
    let mut surface = |s: &triage::app::AppState| {
        let _ = frames_tx.send(render(s));
        Ok(())
    };
    let console = run_loop(
        &mut state,
        LoopIo {
            inputs: &mut inputs,
            results: &mut results,
            clock: clock.as_ref(),
            tick: Duration::from_secs(3600),
        },
        &mut carrier,
        Vec::new(),
        &mut surface,
    );
    let driver = async {
        let help = |f: &str| f.contains("j k PgUp PgDn g G scroll");
        // The services arrive from a worker while nobody presses anything.
        frame_where(&mut frames, "the services", |f| f.contains("chatbot-api")).await;
        let mut slowest = Duration::ZERO;
        for _ in 0..20 {
            terminal.send(key('?'));
            slowest = slowest.max(frame_where(&mut frames, "the help", help).await);
            terminal.send(esc());
            slowest = slowest.max(frame_where(&mut frames, "help closed", |f| !help(f)).await);
        }
        // Two keys queued together are folded into one frame.
        terminal.send(key('t'));
        terminal.send(esc());
        frame_where(&mut frames, "home again", |f| f.contains("chatbot-api")).await;
        // A paste goes into the open palette as text, never as commands.
        terminal.send(key(':'));
        terminal.send(Event::Paste("logs req-5f1e0c9a\n".into()));
        frame_where(&mut frames, "the pasted command", |f| {
            f.contains(":logs req-5f1e0c9a")
        })
        .await;
        terminal.send(esc());
        // Pasted outside a text field: nothing happens (no `q`uit, no `t`imeline).
        terminal.send(Event::Paste("qt".into()));
        terminal.send(key('?'));
        frame_where(&mut frames, "the help after a stray paste", help).await;
        inputs_tx.send(Input::Stop).unwrap();
        slowest
    };
    let (ended, slowest) = tokio::join!(console, driver);
    ended.unwrap();
    reader.stop();
    // Generous for a loaded 2-core CI machine; the old loop took ~0.7 s or the tick.
    assert!(slowest < Duration::from_secs(2), "slowest key: {slowest:?}");
}
