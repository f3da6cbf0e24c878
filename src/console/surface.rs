//! The console's surface: frames drawn on the terminal, and the terminal
//! lent to a shell (ECS Exec) and taken back intact. While the shell runs the
//! terminal reader is stopped, so no keystroke meant for the shell is read
//! by triage; workers go on and their answers wait in the channel.

use super::event_loop::{Input, Surface};
use super::{input, terminal};
use crate::app::{AppState, Msg, WorkerResult};
use crate::domain::exec::PreparedExec;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::mpsc::UnboundedSender;

pub(crate) struct ConsoleSurface {
    terminal: terminal::Guard,
    reader: Option<input::Reader>,
    inputs: UnboundedSender<Input>,
    first: bool,
}

impl ConsoleSurface {
    pub fn new(
        terminal: terminal::Guard,
        reader: input::Reader,
        inputs: UnboundedSender<Input>,
    ) -> ConsoleSurface {
        ConsoleSurface {
            terminal,
            reader: Some(reader),
            inputs,
            first: true,
        }
    }

    /// Stop reading the terminal (before it is handed back for good).
    pub(crate) fn stop_reading(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            reader.stop();
        }
    }
}

impl Surface for ConsoleSurface {
    fn draw(&mut self, state: &AppState) -> std::io::Result<()> {
        self.terminal.draw(|frame| crate::ui::draw(frame, state))?;
        // Lets the end-to-end test prove that a panic restores the terminal.
        if self.first && std::env::var_os("TRIAGE_TEST_PANIC").is_some() {
            panic!("TRIAGE_TEST_PANIC is set: panicking on purpose after the first frame");
        }
        self.first = false;
        Ok(())
    }

    fn hand_over<'a>(
        &'a mut self,
        prepared: &'a PreparedExec,
    ) -> Pin<Box<dyn Future<Output = Msg> + 'a>> {
        Box::pin(async move {
            // The reader must be gone (its stream dropped) before the shell reads.
            if let Some(mut reader) = self.reader.take() {
                reader.stop();
            }
            self.terminal.suspend();
            crate::errln!(
                "triage: shell into task {} ({}) — exit the shell to come back to the console",
                crate::domain::service::arn_name(&prepared.request.task),
                prepared.request.container
            );
            let mut result = crate::workers::exec::run_handoff(&prepared.handoff)
                .await
                .map_err(|e| e.to_string());
            if let Err(err) = self.terminal.resume() {
                result = Err(format!("the terminal could not be taken back: {err}"));
            }
            match input::spawn_reader(self.inputs.clone()) {
                Ok(reader) => self.reader = Some(reader),
                Err(err) => result = Err(format!("the keyboard could not be read again: {err}")),
            }
            Msg::Worker(WorkerResult::ExecEnded {
                request: prepared.request.clone(),
                result,
            })
        })
    }
}
