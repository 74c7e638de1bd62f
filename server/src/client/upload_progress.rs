//! An upload with a progress bar: on a terminal, `publish` (and anything else that sends a
//! big body) shows the bytes sent so far (`indicatif`), which matters when the server is far
//! away. Off a terminal the body is sent as is, with nothing drawn.

use std::io::{IsTerminal, Read};

use indicatif::{ProgressBar, ProgressStyle};

use super::commands::{Answer, Client};
use super::error::CliError;

/// Bytes handed to the connection at a time (the bar moves this often).
const CHUNK_BYTES: usize = 64 << 10;

/// Sends `body` as `method path`, drawing the bytes sent on a terminal; requires a 2xx answer
/// and returns its body.
pub fn ok_with_progress(
    client: &Client,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, CliError> {
    if !std::io::stderr().is_terminal() {
        return client.ok(method, path, content_type, body.to_vec());
    }
    let bar = ProgressBar::new(body.len() as u64);
    let style =
        ProgressStyle::with_template("Uploading [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let mut reader = Counted {
        bytes: body,
        at: 0,
        bar: &bar,
    };
    let mut req = client.request(
        method,
        path,
        content_type,
        ureq::SendBody::from_reader(&mut reader),
    )?;
    // A reader has no length of its own: say it, so the body is not sent chunked.
    req.headers_mut().insert(
        ureq::http::header::CONTENT_LENGTH,
        ureq::http::HeaderValue::from(body.len()),
    );
    let sent = client.run(req);
    bar.finish_and_clear();
    let mut resp = sent?;
    Answer {
        status: resp.status().as_u16(),
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    }
    .into_ok()
}

/// Reads `bytes`, moving `bar` to the position read.
struct Counted<'a> {
    bytes: &'a [u8],
    at: usize,
    bar: &'a ProgressBar,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len()).min(CHUNK_BYTES);
        let (chunk, _) = rest.split_at(n);
        if let Some(out) = buf.get_mut(..n) {
            out.copy_from_slice(chunk);
        }
        self.at += n;
        self.bar.set_position(self.at as u64);
        Ok(n)
    }
}
