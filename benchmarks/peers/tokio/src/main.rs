//! The Tokio peer server for Krill's side-by-side load and fault runs: the same protocols as
//! `ci/serve` (echo, and pipelined HTTP/1.1 answered with a fixed 200 "Hello"), on Tokio's
//! multi-thread runtime, so that Krill, Netty and Tokio are loaded by the same client in the same
//! session. Run by `ci/serve-tokio MODE PORT THREADS`.
//!
//! One task per connection, as Tokio servers are written. A connection waits for readiness
//! (`readable()`) and then reads with `try_read` into a buffer of its worker thread, borrowed for
//! that read only: an idle connection holds no buffer. What the socket does not take at once is
//! kept by the connection and written (awaiting writability) before anything more is read from it.

use std::cell::RefCell;
use std::io::{self, ErrorKind, Write};
use std::process::ExitCode;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: krill-tokio-peer MODE PORT THREADS   (MODE: echo | http)";

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";
const HEAD_TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// The longest request head answered; longer gets 431 (nginx's default large header buffer, as Krill's).
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Bytes per echo read (as Krill's echo).
const ECHO_BUFFER_BYTES: usize = 64 * 1024;
/// Bytes per HTTP read: a burst of pipelined requests (as Krill's http).
const REQUEST_BUFFER_BYTES: usize = 16 * 1024;
/// The pause after a failed accept (EMFILE and the like), so that a short resource does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

#[derive(Clone, Copy)]
enum Mode {
    Echo,
    Http,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Echo => "echo",
            Mode::Http => "http",
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, port, threads)) = parse(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("krill-tokio-peer: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(serve(mode, port, threads));
    // Stopping: connections still open are dropped, not waited for.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("krill-tokio-peer: {e}");
            ExitCode::from(1)
        }
    }
}

/// `MODE PORT THREADS`, or None for bad usage.
fn parse(args: &[String]) -> Option<(Mode, u16, usize)> {
    let [mode, port, threads] = args else {
        return None;
    };
    let mode = match mode.as_str() {
        "echo" => Mode::Echo,
        "http" => Mode::Http,
        _ => return None,
    };
    let port = port.parse().ok()?;
    let threads = threads.parse().ok().filter(|&n: &usize| n > 0)?;
    Some((mode, port, threads))
}

/// Binds, announces the port on stdout, and serves until SIGTERM or SIGINT.
async fn serve(mode: Mode, port: u16, threads: usize) -> io::Result<()> {
    // Handlers first: a signal sent as soon as the line below is seen must stop the server cleanly.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot bind 127.0.0.1:{port}: {e}")))?;
    let port = listener.local_addr()?.port();
    {
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "tokio {} server on 127.0.0.1:{port} with {threads} workers",
            mode.name()
        )?;
        out.flush()?;
    }
    // Accept on a worker too, not on this thread: THREADS threads do all the serving.
    let acceptor = tokio::spawn(accept(listener, mode));
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    acceptor.abort();
    Ok(())
}

/// Accepts forever, one task per connection; a failed accept never ends it.
async fn accept(listener: TcpListener, mode: Mode) {
    let mut logged = false; // an accept failure was reported: later ones are not (no log flood)
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                // Small requests and answers: send each at once, not after Nagle's delay.
                if stream.set_nodelay(true).is_err() {
                    continue; // the socket is already broken: drop it
                }
                match mode {
                    Mode::Echo => tokio::spawn(async move {
                        let _ = echo(stream).await; // end quietly on error, as on end of stream
                    }),
                    Mode::Http => tokio::spawn(async move {
                        let _ = http(stream).await;
                    }),
                };
            }
            // The peer gave up before it was accepted: nothing short, take the next one.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
                ) => {}
            Err(e) => {
                // EMFILE, ENFILE, ENOBUFS...: the listener is fine, something is short for now.
                if !logged {
                    eprintln!(
                        "krill-tokio-peer: accept failed: {e} (retrying every 10 ms; \
                         further accept failures are not logged)"
                    );
                    logged = true;
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}

thread_local! {
    /// The echo read buffer of this worker thread, borrowed by one read at a time.
    static ECHO_BUFFER: RefCell<Box<[u8]>> = RefCell::new(vec![0; ECHO_BUFFER_BYTES].into_boxed_slice());
    /// The HTTP read buffer and response block of this worker thread.
    static HTTP_SCRATCH: RefCell<HttpScratch> = RefCell::new(HttpScratch {
        buffer: vec![0; REQUEST_BUFFER_BYTES].into_boxed_slice(),
        responses: Vec::new(),
    });
}

struct HttpScratch {
    buffer: Box<[u8]>,
    /// RESPONSE back to back, grown on demand: k answers are one slice, one write.
    responses: Vec<u8>,
}

/// Echo: writes back what it reads until end of stream.
async fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut unsent = Vec::new(); // what the socket did not take; empty (unallocated) almost always
    loop {
        if !unsent.is_empty() {
            stream.write_all(&unsent).await?;
            unsent = Vec::new();
        }
        stream.readable().await?;
        let open = ECHO_BUFFER.with(|buffer| -> io::Result<bool> {
            let buffer = &mut *buffer.borrow_mut();
            match try_read(&stream, buffer)? {
                None => Ok(true),
                Some(0) => Ok(false),
                Some(n) => {
                    send_now(&stream, &buffer[..n], &mut unsent)?;
                    Ok(true)
                }
            }
        })?;
        if !open {
            return Ok(());
        }
    }
}

/// What an HTTP connection does after a read.
enum Next {
    Read,
    End,
    /// Answered 431: write what is left of it, then close.
    Close,
}

/// HTTP/1.1 keep-alive with pipelining: each request head (ended by an empty line) is answered
/// with RESPONSE, in order, all those completed by one read with one write.
async fn http(mut stream: TcpStream) -> io::Result<()> {
    let mut partial = Vec::new(); // an incomplete head kept across reads; empty (unallocated) otherwise
    let mut scanned = 0; // bytes of partial known to hold no head end: the next scan starts there
    let mut unsent = Vec::new();
    loop {
        if !unsent.is_empty() {
            stream.write_all(&unsent).await?;
            unsent = Vec::new();
        }
        stream.readable().await?;
        let next = HTTP_SCRATCH.with(|scratch| -> io::Result<Next> {
            let HttpScratch { buffer, responses } = &mut *scratch.borrow_mut();
            let n = match try_read(&stream, buffer)? {
                None => return Ok(Next::Read),
                Some(0) => return Ok(Next::End),
                Some(n) => n,
            };
            let requests;
            if partial.is_empty() {
                // The usual case: scan the borrowed buffer in place, keep only an incomplete rest.
                let (count, consumed) = count_heads(&buffer[..n], 0);
                requests = count;
                if n - consumed <= MAX_HEAD_BYTES {
                    partial.extend_from_slice(&buffer[consumed..n]);
                } else {
                    return too_large(&stream, &mut unsent);
                }
            } else {
                partial.extend_from_slice(&buffer[..n]);
                let (count, consumed) = count_heads(&partial, scanned);
                requests = count;
                partial.drain(..consumed);
                if partial.len() > MAX_HEAD_BYTES {
                    return too_large(&stream, &mut unsent);
                }
            }
            if partial.is_empty() {
                partial = Vec::new(); // nothing kept: give the memory back
            }
            scanned = partial.len().saturating_sub(3); // a head end may straddle the next read
            if requests > 0 {
                send_now(&stream, repeated(responses, requests), &mut unsent)?;
            }
            Ok(Next::Read)
        })?;
        match next {
            Next::Read => {}
            Next::End => return Ok(()),
            Next::Close => {
                if !unsent.is_empty() {
                    stream.write_all(&unsent).await?;
                }
                return stream.shutdown().await;
            }
        }
    }
}

/// A head too long: answers 431 alone (the answers owed before it are dropped, as Krill does:
/// the client broke the protocol), then the connection closes.
fn too_large(stream: &TcpStream, unsent: &mut Vec<u8>) -> io::Result<Next> {
    unsent.clear();
    send_now(stream, HEAD_TOO_LARGE, unsent)?;
    Ok(Next::Close)
}

/// The complete request heads in `data`, the first searched for from `from`: how many, and the
/// bytes they take (where the incomplete rest begins).
fn count_heads(data: &[u8], mut from: usize) -> (usize, usize) {
    let (mut count, mut consumed) = (0, 0);
    while let Some(end) = head_end(data, from) {
        count += 1;
        consumed = end;
        from = end;
    }
    (count, consumed)
}

/// The index just past the first "\r\n\r\n" starting at or after `from`.
fn head_end(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 4 <= data.len() {
        match data[i + 3] {
            b'\n' if &data[i..i + 4] == b"\r\n\r\n" => return Some(i + 4),
            b'\r' | b'\n' => i += 1,
            _ => i += 4, // every window starting at i..=i+3 holds this byte: none can match
        }
    }
    None
}

/// `count` responses back to back, from the thread's block (grown the first time it is short).
fn repeated(responses: &mut Vec<u8>, count: usize) -> &[u8] {
    let len = count * RESPONSE.len();
    while responses.len() < len {
        responses.extend_from_slice(RESPONSE);
    }
    &responses[..len]
}

/// One read without waiting: Some(n) bytes (Some(0) at end of stream), or None when the
/// readiness was stale and there is nothing to read yet.
fn try_read(stream: &TcpStream, buffer: &mut [u8]) -> io::Result<Option<usize>> {
    match stream.try_read(buffer) {
        Ok(n) => Ok(Some(n)),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `data` as far as the socket takes it now; the rest is copied to `unsent`, to be
/// written (awaiting writability) before anything more is read.
fn send_now(stream: &TcpStream, data: &[u8], unsent: &mut Vec<u8>) -> io::Result<()> {
    let mut sent = 0;
    while sent < data.len() {
        match stream.try_write(&data[sent..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    unsent.extend_from_slice(&data[sent..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pipelined_heads_and_keeps_the_rest() {
        let data = b"GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET /";
        let (count, consumed) = count_heads(data, 0);
        assert_eq!(count, 2);
        assert_eq!(&data[consumed..], b"GET /");
    }

    #[test]
    fn finds_a_head_end_wherever_it_falls() {
        for pad in 0..12 {
            let mut data = vec![b'x'; pad];
            data.extend_from_slice(b"\r\n\r\n");
            assert_eq!(head_end(&data, 0), Some(pad + 4), "pad {pad}");
            data.extend_from_slice(b"\r\r\n\n\r\n\r");
            assert_eq!(count_heads(&data, 0), (1, pad + 4), "pad {pad}");
        }
        assert_eq!(head_end(b"\r\n\r", 0), None);
        assert_eq!(head_end(b"\n\r\n\r\n", 0), Some(5));
    }
}
