//! The loop itself, apart from the terminal: wait for the first of an input,
//! a worker result or a tick; take whatever else is already queued (bounded);
//! update; draw once.
//!
//! Input reaches the loop through a channel that its own reader thread fills
//! (see [`super::input::spawn_reader`]): every stream is polled only by the
//! job that owns it, with that job's waker, so a key wakes the loop the
//! moment it arrives. Draining uses `try_recv`, which never replaces a
//! waker. (Polling crossterm's `EventStream` with `now_or_never()` here once
//! left the loop asleep until the next tick: ~0.7 s per key.)

use crate::app::{update, AppState, Effect, Msg, WorkerResult};
use crate::domain::Clock;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// At most this many queued inputs and results are folded into one frame.
pub(crate) const DRAIN_LIMIT: usize = 256;

/// What the reader and the signal job send the loop.
#[derive(Debug)]
pub enum Input {
    Msg(Msg),
    /// Leave cleanly: the terminal went away, or SIGHUP/SIGTERM.
    Stop,
    /// The terminal could not be read.
    Failed(std::io::Error),
}

/// What became of an effect handed to the [`Carrier`].
#[derive(Debug)]
pub enum Carried {
    /// Started (or done) elsewhere; its result comes back as a worker result.
    Started,
    /// Done at once; this message goes back into `update` before the frame is drawn.
    Answered(Msg),
    /// The engineer asked to leave.
    Quit,
    /// Give the terminal to a shell until it ends (see [`Surface::hand_over`]).
    HandOver(Box<crate::domain::exec::PreparedExec>),
}

/// Where frames go: the terminal, or a test's buffer.
pub trait Surface {
    fn draw(&mut self, state: &AppState) -> std::io::Result<()>;
    /// Lend the terminal to the shell until it ends, then take it back and
    /// repaint; the answer goes into `update` like a worker's.
    fn hand_over<'a>(
        &'a mut self,
        prepared: &'a crate::domain::exec::PreparedExec,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Msg> + 'a>>;
}

/// A bare drawing function is a surface with no terminal to lend.
impl<F: FnMut(&AppState) -> std::io::Result<()>> Surface for F {
    fn draw(&mut self, state: &AppState) -> std::io::Result<()> {
        self(state)
    }
    fn hand_over<'a>(
        &'a mut self,
        prepared: &'a crate::domain::exec::PreparedExec,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Msg> + 'a>> {
        Box::pin(async move {
            Msg::Worker(WorkerResult::ExecEnded {
                request: prepared.request.clone(),
                result: Err("no terminal to hand over".into()),
            })
        })
    }
}

/// Whoever carries out the app's effects (workers, the incident journal,
/// the clipboard). Must not block: slow work belongs in a job.
pub trait Carrier {
    fn carry(&mut self, effect: Effect) -> Carried;
}

/// The channels and the clock the loop reads.
pub struct LoopIo<'a> {
    pub inputs: &'a mut UnboundedReceiver<Input>,
    pub results: &'a mut UnboundedReceiver<WorkerResult>,
    pub clock: &'a dyn Clock,
    /// How often time advances on its own (refreshes fall due, messages expire).
    pub tick: Duration,
}

/// Run until the engineer quits, an input says stop, or the terminal fails.
/// `pending` goes into the first update; `surface` paints frames (and lends
/// the terminal to a shell).
pub async fn run_loop(
    state: &mut AppState,
    io: LoopIo<'_>,
    carrier: &mut dyn Carrier,
    mut pending: Vec<Msg>,
    surface: &mut dyn Surface,
) -> anyhow::Result<()> {
    let LoopIo {
        inputs,
        results,
        clock,
        tick,
    } = io;
    // The first tick comes one period from now (an interval's first tick is immediate).
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    surface.draw(state)?;
    loop {
        let mut messages = std::mem::take(&mut pending);
        tokio::select! {
            input = inputs.recv() => match input {
                Some(Input::Msg(msg)) => messages.push(msg),
                Some(Input::Failed(err)) => return Err(err.into()),
                Some(Input::Stop) | None => return Ok(()),
            },
            Some(result) = results.recv() => messages.push(Msg::Worker(result)),
            _ = ticks.tick() => messages.push(Msg::Tick(clock.now())),
        }
        // Take whatever else is already waiting, then draw once.
        while messages.len() < DRAIN_LIMIT {
            if let Ok(result) = results.try_recv() {
                messages.push(Msg::Worker(result));
                continue;
            }
            match inputs.try_recv() {
                Ok(Input::Msg(msg)) => messages.push(msg),
                Ok(Input::Failed(err)) => return Err(err.into()),
                Ok(Input::Stop) => return Ok(()),
                Err(_) => break,
            }
        }
        // Answers given at once (journal writes) are fed back before anything is drawn.
        let mut queue = VecDeque::from(messages);
        while let Some(msg) = queue.pop_front() {
            state.now = clock.now();
            for effect in update(state, msg) {
                match carrier.carry(effect) {
                    Carried::Started => {}
                    Carried::Answered(msg) => queue.push_back(msg),
                    Carried::Quit => return Ok(()),
                    Carried::HandOver(prepared) => {
                        queue.push_back(surface.hand_over(&prepared).await);
                        ticks.reset();
                    }
                }
            }
        }
        if state.quit {
            return Ok(());
        }
        surface.draw(state)?;
    }
}
