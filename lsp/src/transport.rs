//! Standard input, with malformed messages dropped before tower-lsp-server
//! sees them.
//!
//! tower-lsp-server stops reading its input at the first message it cannot
//! decode (tokio-util's framed reader ends the stream after a decoder
//! error), which would end the server over one bad message from a client.
//! So a thread reads the frames first and passes on only those whose body is
//! a JSON-RPC 2.0 message; the others are reported on standard error.

use std::borrow::Cow;
use std::io::{BufRead, ErrorKind, Read};

use serde::Deserialize;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::runtime::Handle;

/// Larger bodies are dropped (after reading them): no editor sends one.
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// One frame read from the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A well-formed message, framed again for the server.
    Message(Vec<u8>),
    /// Something to drop, and why.
    Malformed(String),
}

/// Copies well-formed frames from `input` to `server` until either ends.
pub(crate) fn forward(mut input: impl BufRead, mut server: DuplexStream, runtime: &Handle) {
    loop {
        match read_frame(&mut input) {
            Ok(Some(Frame::Message(bytes))) => {
                if runtime.block_on(server.write_all(&bytes)).is_err() {
                    return;
                }
            }
            Ok(Some(Frame::Malformed(reason))) => {
                eprintln!("snag lsp: dropped a malformed message: {reason}");
            }
            Ok(None) => return,
            Err(error) => {
                eprintln!("snag lsp: cannot read standard input: {error}");
                return;
            }
        }
    }
}

/// Reads one frame: headers up to an empty line, then `Content-Length`
/// bytes. `None` at the end of the input.
pub(crate) fn read_frame(input: &mut impl BufRead) -> std::io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut problem = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        saw_header = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(parsed) => length = Some(parsed),
                    Err(_) => problem = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-type") => {}
            _ => problem = Some(format!("unexpected header line `{line}`")),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Malformed(
            problem.unwrap_or_else(|| "no Content-Length".to_string()),
        )));
    };
    let mut body = Vec::new();
    let read = (&mut *input).take(length as u64).read_to_end(&mut body)?;
    if read < length {
        return Err(std::io::Error::new(
            ErrorKind::UnexpectedEof,
            "the input ended inside a message",
        ));
    }
    if let Some(problem) = problem {
        return Ok(Some(Frame::Malformed(problem)));
    }
    if length > MAX_BODY_BYTES {
        return Ok(Some(Frame::Malformed(format!(
            "a {length}-byte message is larger than the {MAX_BODY_BYTES}-byte limit"
        ))));
    }
    if let Err(reason) = check_message(&body) {
        return Ok(Some(Frame::Malformed(reason)));
    }
    let mut framed = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    framed.extend(body);
    Ok(Some(Frame::Message(framed)))
}

/// What tower-lsp-server requires of a message to decode it.
fn check_message(body: &[u8]) -> Result<(), String> {
    // Deserialized only to be validated: the fields need not be read.
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Envelope<'a> {
        #[serde(borrow, default)]
        jsonrpc: Option<Cow<'a, str>>,
        #[serde(default)]
        id: Option<Id>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Id {
        Number(i64),
        Text(String),
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(|error| error.to_string())?;
    match envelope.jsonrpc.as_deref() {
        Some("2.0") => Ok(()),
        _ => Err("not a JSON-RPC 2.0 message (`\"jsonrpc\": \"2.0\"` missing)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Frame> {
        let mut reader = input.as_bytes();
        std::iter::from_fn(|| read_frame(&mut reader).ok().flatten()).collect()
    }

    #[test]
    fn good_messages_pass_and_bad_ones_are_dropped() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 12\r\n\r\n{{not json!!}}Content-Length: {}\r\n\r\n{good}\
             Content-Length: 4\r\n\r\n[1]\nContent-Length: 2\r\n\r\n{{}}\
             X-Junk\r\nContent-Length: 2\r\n\r\n{{}}\
             Content-Length: 26\r\n\r\n{{\"jsonrpc\":\"2.0\",\"id\":1.5}}\
             Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{good}",
            good.len(),
            good.len(),
        );
        let frames = frames(&input);
        let kinds: Vec<bool> = frames
            .iter()
            .map(|frame| matches!(frame, Frame::Message(_)))
            .collect();
        assert_eq!(kinds, [false, true, false, false, false, false, true]);
        assert_eq!(
            frames[1],
            Frame::Message(format!("Content-Length: {}\r\n\r\n{good}", good.len()).into_bytes())
        );
    }

    #[test]
    fn a_truncated_message_ends_the_input() {
        let mut reader = "Content-Length: 50\r\n\r\n{\"jsonrpc\"".as_bytes();
        assert!(read_frame(&mut reader).is_err());
        let mut empty = "".as_bytes();
        assert_eq!(read_frame(&mut empty).unwrap(), None);
    }
}
