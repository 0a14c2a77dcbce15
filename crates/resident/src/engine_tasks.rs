//! A running engine: the engine task, and the task that carries its events to the controller.

use svetofor_client::engine::{Engine, EngineEvent};
use tokio::sync::mpsc::{Receiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::controller::Request;

/// The tasks of a running engine.
pub struct EngineTasks {
    run: JoinHandle<()>,
    pump: JoinHandle<()>,
}

impl EngineTasks {
    /// Runs `engine` and carries its events to `requests`.
    pub fn spawn(
        engine: Engine,
        mut events: Receiver<EngineEvent>,
        requests: UnboundedSender<Request>,
    ) -> EngineTasks {
        let run = tokio::spawn(engine.run());
        let pump = tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if requests.send(Request::Engine(event)).is_err() {
                    break;
                }
            }
        });
        EngineTasks { run, pump }
    }

    /// Stops both, and waits until the engine has let go of its cache.
    pub async fn stop(self) {
        self.pump.abort();
        self.run.abort();
        let _ = self.run.await;
    }
}
