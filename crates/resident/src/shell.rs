//! The event loop on the main thread (tao, as Tauri's): it draws the tray the controller sends
//! and passes menu clicks back. Nothing is decided here.

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder};
use tokio::sync::mpsc::UnboundedSender;
use tracing_appender::non_blocking::WorkerGuard;
use tray_icon::menu::MenuEvent;

use crate::controller::{Request, ShellEvent};
use crate::tray_ui::Tray;

/// The main thread's event loop (GTK on Linux), made before anything draws.
pub fn event_loop() -> EventLoop<ShellEvent> {
    EventLoopBuilder::<ShellEvent>::with_user_event().build()
}

/// Runs the event loop until the controller says quit; the process ends with it.
pub fn run(
    event_loop: EventLoop<ShellEvent>,
    requests: UnboundedSender<Request>,
    runtime: tokio::runtime::Runtime,
    log: Option<WorkerGuard>,
) -> ! {
    let clicks = requests.clone();
    MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
        let _ = clicks.send(Request::Menu(e.id.0));
    }));
    let mut tray: Option<Tray> = None;
    let mut runtime = Some(runtime);
    let mut log = log;
    event_loop.run(move |event, _, flow| {
        *flow = ControlFlow::Wait;
        match event {
            Event::NewEvents(StartCause::Init) => tracing::debug!("event loop running"),
            Event::UserEvent(ShellEvent::Tray(model)) => match &mut tray {
                Some(t) => {
                    if let Err(e) = t.update(&model) {
                        tracing::warn!("cannot update the tray: {e}");
                    }
                }
                None => {
                    // Tray hosts list the item by the application's name (GLib's default is
                    // the lower-case program name).
                    #[cfg(target_os = "linux")]
                    glib::set_application_name(&model.title);
                    match Tray::create(&model) {
                        Ok(t) => tray = Some(t),
                        Err(e) => tracing::error!("cannot create the tray: {e}"),
                    }
                }
            },
            Event::UserEvent(ShellEvent::Quit) => {
                tracing::info!("quitting");
                tray = None;
                if let Some(rt) = runtime.take() {
                    rt.shutdown_timeout(std::time::Duration::from_secs(2));
                }
                drop(log.take());
                *flow = ControlFlow::Exit;
            }
            _ => {}
        }
    })
}
