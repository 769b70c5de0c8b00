//! Log lines captured in memory: a `tracing_subscriber` writer whose clones share one buffer,
//! so a test can read back what the server logged.
//!
//! ```ignore
//! let buffer = Buffer::default();
//! let writer = buffer.clone();
//! let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).finish();
//! // … run the server …
//! let logs = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
//! ```

use std::io::Write;
use std::sync::{Arc, Mutex};

/// What was written, shared by every clone.
#[derive(Clone, Default)]
pub struct Buffer(pub Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
