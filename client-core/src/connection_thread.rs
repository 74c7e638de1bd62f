//! [`ConnectionThread`]: one background thread whose runtime drives the connections of many
//! clients ([`crate::ClientBuilder::on`]). A client normally owns a thread of its own; a
//! program holding hundreds of clients (the arena's bots, a load test) shares one, so one
//! wake-up serves every socket that is ready instead of waking a thread per message.

use std::thread::JoinHandle;

use crate::client::Error;

/// A thread running a single-threaded runtime until dropped. Dropping it ends every
/// connection still on it (their clients see their channel close, as if the thread died).
#[derive(Debug)]
pub struct ConnectionThread {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectionThread {
    /// Starts the thread.
    pub fn start() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Spawn(format!("no runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("lightcone-connections".into())
            .spawn(move || {
                // Either a stop or the sender dropped: both end the thread.
                let _ = runtime.block_on(stopped);
            })
            .map_err(|e| Error::Spawn(e.to_string()))?;
        Ok(Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

impl Drop for ConnectionThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
