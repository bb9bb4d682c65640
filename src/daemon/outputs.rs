//! The daemon's side of the outputs (`crate::dispatch`): starting them
//! from the plugin directory, and a way for their loss counts to reach
//! the writer that lets go of the writer's queue at shutdown, so that the
//! writer still ends when the pipeline hangs up.

use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::dispatch::{self, Dispatcher, Settings};
use crate::store::Batch;

use super::writer::Message;

type Slot = Arc<Mutex<Option<SyncSender<Message>>>>;

pub struct Outputs {
    dispatcher: Option<Dispatcher>,
    writer: Slot,
}

/// Starts the outputs `plugin_dir` configures; a directory that cannot be
/// read or a file that is wrong is said on stderr and starts nothing.
pub fn start(config: &Config, writer: &SyncSender<Message>) -> Outputs {
    let slot: Slot = Arc::new(Mutex::new(Some(writer.clone())));
    let confs = match dispatch::config::load_dir(&config.plugin_dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("raudit daemon: outputs not started: {e}");
            Vec::new()
        }
    };
    let settings = Settings {
        db: config.db.clone(),
        q_depth: config.q_depth,
        max_restarts: config.max_restarts,
    };
    let to_writer = Arc::clone(&slot);
    let record = Box::new(move |row| {
        let guard = to_writer.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().is_some_and(|tx| {
            let batch = Batch {
                losses: vec![row],
                ..Batch::default()
            };
            tx.try_send(Message::Batch(batch)).is_ok()
        })
    });
    let dispatcher = match dispatch::start(&settings, confs, record) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("raudit daemon: outputs not started: {e}");
            None
        }
    };
    Outputs {
        dispatcher,
        writer: slot,
    }
}

impl Outputs {
    /// Lets go of the writer's queue: from here on what outputs lose is
    /// said on stderr only.
    pub fn release_writer(&self) {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// Sends the rest of what was stored, then stops the outputs.
    pub fn finish(self) {
        self.release_writer();
        if let Some(d) = self.dispatcher {
            d.finish();
        }
    }
}
