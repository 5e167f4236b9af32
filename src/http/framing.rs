//! Following the framing of the answers on a connection, so that the transport masks
//! their body bytes and nothing else ([`Rx`]): response heads, chunk-size lines and
//! trailers stay as they are. What the request's method means for its answer's
//! framing comes from the request head the transport sends ([`request_method`]).
#![forbid(unsafe_code)]

use super::masking::apply_mask;

/// What a request's method means for the framing of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReqMethod {
    /// `HEAD`: no answer has a body.
    Head,
    /// `CONNECT`: a 2xx answer has no body.
    Connect,
    /// Anything else.
    Other,
}

/// The method of a request head: its first token.
pub(super) fn request_method(head: &[u8]) -> ReqMethod {
    let token = head.split(|b| *b == b' ').next().unwrap_or_default();
    match token {
        b"HEAD" => ReqMethod::Head,
        b"CONNECT" => ReqMethod::Connect,
        _ => ReqMethod::Other,
    }
}

/// The longest response head line kept while looking for the end of a head; ureq
/// refuses heads over 64 KiB by default anyway.
const HEAD_LINE_LIMIT: usize = 256 * 1024;

/// The longest chunk-size line ureq-proto accepts (without its CRLF).
const CHUNK_SIZE_LINE_LIMIT: usize = 20;

/// Follows the framing of the answers on a connection and masks their body bytes in
/// place, never changing the number or positions of bytes.
///
/// It mirrors how ureq-proto frames an answer (httparse for the head, then
/// `BodyReader::for_response` and its dechunker). Whatever it cannot follow, it stops
/// masking for (ureq fails on such an answer anyway): it never panics and each step
/// takes at least one byte.
#[derive(Debug)]
pub(super) struct Rx {
    /// The seed body bytes are masked with; `None`: no masking, no tracking.
    seed: Option<u64>,
    /// The method of the request being answered.
    method: ReqMethod,
    /// Where in the stream we are.
    state: RxState,
    /// The head line being read (without its line end).
    line: Vec<u8>,
}

impl Default for Rx {
    fn default() -> Self {
        Rx {
            seed: None,
            method: ReqMethod::Other,
            state: RxState::Opaque,
            line: Vec::new(),
        }
    }
}

/// Where in the stream of answers an [`Rx`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RxState {
    /// Reading a response head.
    Head(HeadScan),
    /// In a body of known length: bytes left, stream position of the next one.
    Length { left: u64, off: u64 },
    /// In a chunked body.
    Chunked { at: ChunkAt, off: u64 },
    /// In a body that ends when the connection does.
    Close { off: u64 },
    /// Not masking (lost track, or no masking asked).
    Opaque,
}

/// What a response head said so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeadScan {
    /// Past the empty lines httparse skips, into the status line.
    started: bool,
    /// The status code.
    status: u16,
    /// `HTTP/1.0`.
    http10: bool,
    /// The Content-Length, if one.
    content_length: Option<u64>,
    /// A Content-Length ureq-proto refuses (bad value, or values that differ).
    content_length_bad: bool,
    /// `Transfer-Encoding` names `chunked`.
    chunked: bool,
}

impl HeadScan {
    /// A head not started yet.
    const NEW: HeadScan = HeadScan {
        started: false,
        status: 0,
        http10: false,
        content_length: None,
        content_length_bad: false,
        chunked: false,
    };
}

/// Where in a chunked body a dechunker is (as ureq-proto's `Dechunker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkAt {
    /// The chunk-size line: the bytes before its `\r`, how many.
    Size([u8; CHUNK_SIZE_LINE_LIMIT], usize),
    /// The `\n` after the size line's `\r`.
    SizeLf([u8; CHUNK_SIZE_LINE_LIMIT], usize),
    /// Data bytes left in this chunk.
    Data(u64),
    /// The `\r` after a chunk's data.
    DataCr,
    /// The `\n` after a chunk's data.
    DataLf,
    /// After the last chunk: a trailer line or the final empty line.
    Ending,
    /// The `\n` of the final empty line.
    EndingLf,
    /// Inside a trailer line.
    Trailer,
    /// The `\n` ending a trailer line.
    TrailerLf,
}

/// Strips optional whitespace (SP / HTAB) from both ends.
fn trim_ows(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// Parses a status line: `(HTTP/1.0, status)`.
fn parse_status_line(line: &[u8]) -> Option<(bool, u16)> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let (minor, rest) = rest.split_first()?;
    let http10 = match minor {
        b'0' => true,
        b'1' => false,
        _ => return None,
    };
    let rest = trim_ows(rest);
    let code = rest.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    Some((http10, status))
}

impl Rx {
    /// Starts on the answer to a request with `method`, masking with `seed`.
    pub(super) fn reset(&mut self, method: ReqMethod, seed: Option<u64>) {
        self.seed = seed;
        self.method = method;
        self.line.clear();
        self.state = if seed.is_some() {
            RxState::Head(HeadScan::NEW)
        } else {
            RxState::Opaque
        };
    }

    /// Masks the body bytes in `buf`, the next bytes of the stream.
    pub(super) fn feed(&mut self, buf: &mut [u8]) {
        let Some(seed) = self.seed else {
            return;
        };
        let mut i = 0;
        while i < buf.len() {
            let rest = &mut buf[i..];
            match self.state {
                RxState::Opaque => return,
                RxState::Close { off } => {
                    apply_mask(seed, off, rest);
                    self.state = RxState::Close {
                        off: off.wrapping_add(rest.len() as u64),
                    };
                    return;
                }
                RxState::Length { left, off } => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    apply_mask(seed, off, &mut rest[..n]);
                    i += n;
                    self.state = if left == n as u64 {
                        self.next_head()
                    } else {
                        RxState::Length {
                            left: left - n as u64,
                            off: off.wrapping_add(n as u64),
                        }
                    };
                }
                RxState::Chunked { at, off } => {
                    i += self.feed_chunked(seed, at, off, rest);
                }
                RxState::Head(scan) => {
                    i += self.feed_head(scan, rest);
                }
            }
        }
    }

    /// The state at the start of the next answer's head.
    fn next_head(&mut self) -> RxState {
        self.line.clear();
        RxState::Head(HeadScan::NEW)
    }

    /// Reads head bytes up to the end of a line; returns how many were taken (≥ 1).
    fn feed_head(&mut self, mut scan: HeadScan, rest: &[u8]) -> usize {
        let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
            self.line.extend_from_slice(rest);
            if self.line.len() > HEAD_LINE_LIMIT {
                self.state = RxState::Opaque;
            }
            return rest.len();
        };
        self.line.extend_from_slice(&rest[..nl]);
        let taken = nl + 1;
        // httparse ends a line with "\r\n" or "\n"; a "\r" anywhere else is an error.
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        if self.line.contains(&b'\r') || self.line.len() > HEAD_LINE_LIMIT {
            self.state = RxState::Opaque;
            return taken;
        }
        let line = std::mem::take(&mut self.line);
        self.state = self.head_line(&mut scan, &line);
        self.line = line;
        self.line.clear();
        taken
    }

    /// Takes in one whole head line (without its line end).
    fn head_line(&mut self, scan: &mut HeadScan, line: &[u8]) -> RxState {
        if !scan.started {
            if line.is_empty() {
                // httparse skips empty lines before the status line.
                return RxState::Head(*scan);
            }
            let Some((http10, status)) = parse_status_line(line) else {
                return RxState::Opaque;
            };
            scan.started = true;
            scan.http10 = http10;
            scan.status = status;
            return RxState::Head(*scan);
        }
        if line.is_empty() {
            return self.head_end(scan);
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            // httparse refuses it; so will ureq.
            return RxState::Head(*scan);
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.eq_ignore_ascii_case(b"content-length") {
            for element in value.split(|b| *b == b',') {
                let digits = trim_ows(element);
                let n = if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                    std::str::from_utf8(digits)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                } else {
                    None
                };
                match n {
                    Some(n) if scan.content_length.is_none_or(|prev| prev == n) => {
                        scan.content_length = Some(n);
                    }
                    _ => scan.content_length_bad = true,
                }
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            // ureq-proto looks only at values that are visible ASCII (`to_str`).
            let visible = value
                .iter()
                .all(|b| *b == b'\t' || (0x20..0x7f).contains(b));
            if visible
                && value
                    .split(|b| *b == b',')
                    .any(|e| trim_ows(e).eq_ignore_ascii_case(b"chunked"))
            {
                scan.chunked = true;
            }
        }
        RxState::Head(*scan)
    }

    /// The head is complete: what follows it (as `BodyReader::for_response` decides).
    fn head_end(&mut self, scan: &HeadScan) -> RxState {
        let status = scan.status;
        if status == 101 || status < 100 || scan.content_length_bad {
            // A switch of protocols, or an answer ureq refuses: stop following.
            return RxState::Opaque;
        }
        if status < 200 {
            // 100 Continue, 102, 103…: another head follows.
            return self.next_head();
        }
        let no_body = self.method == ReqMethod::Head
            || (self.method == ReqMethod::Connect && (200..300).contains(&status))
            || status == 204
            || status == 304;
        if no_body {
            return self.next_head();
        }
        if scan.chunked && !scan.http10 {
            return RxState::Chunked {
                at: ChunkAt::Size([0; CHUNK_SIZE_LINE_LIMIT], 0),
                off: 0,
            };
        }
        match scan.content_length {
            Some(0) => self.next_head(),
            Some(left) => RxState::Length { left, off: 0 },
            None => RxState::Close { off: 0 },
        }
    }

    /// Takes chunked-body bytes; returns how many (≥ 1).
    fn feed_chunked(&mut self, seed: u64, at: ChunkAt, off: u64, rest: &mut [u8]) -> usize {
        let mut take = 1;
        let b = rest[0];
        let next = match at {
            ChunkAt::Size(mut size, len) => {
                if b == b'\r' {
                    ChunkAt::SizeLf(size, len)
                } else if len < CHUNK_SIZE_LINE_LIMIT {
                    size[len] = b;
                    ChunkAt::Size(size, len + 1)
                } else {
                    // ureq-proto refuses a longer size line.
                    self.state = RxState::Opaque;
                    return take;
                }
            }
            ChunkAt::SizeLf(size, len) => {
                if b != b'\n' {
                    self.state = RxState::Opaque;
                    return take;
                }
                // As ureq-proto: the hex number before any ';', trimmed.
                let line = &size[..len];
                let end = line.iter().position(|c| *c == b';').unwrap_or(len);
                let parsed = std::str::from_utf8(&line[..end])
                    .ok()
                    .and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
                match parsed {
                    Some(0) => ChunkAt::Ending,
                    Some(n) => ChunkAt::Data(n as u64),
                    None => {
                        self.state = RxState::Opaque;
                        return take;
                    }
                }
            }
            ChunkAt::Data(left) => {
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                apply_mask(seed, off, &mut rest[..n]);
                take = n;
                let off = off.wrapping_add(n as u64);
                let at = if left == n as u64 {
                    ChunkAt::DataCr
                } else {
                    ChunkAt::Data(left - n as u64)
                };
                self.state = RxState::Chunked { at, off };
                return take;
            }
            ChunkAt::DataCr if b == b'\r' => ChunkAt::DataLf,
            ChunkAt::DataLf if b == b'\n' => ChunkAt::Size([0; CHUNK_SIZE_LINE_LIMIT], 0),
            ChunkAt::Ending if b == b'\r' => ChunkAt::EndingLf,
            ChunkAt::Ending => ChunkAt::Trailer,
            ChunkAt::EndingLf if b == b'\n' => {
                self.state = self.next_head();
                return take;
            }
            ChunkAt::Trailer if b == b'\r' => ChunkAt::TrailerLf,
            ChunkAt::Trailer => ChunkAt::Trailer,
            ChunkAt::TrailerLf if b == b'\n' => ChunkAt::Ending,
            ChunkAt::DataCr | ChunkAt::DataLf | ChunkAt::EndingLf | ChunkAt::TrailerLf => {
                self.state = RxState::Opaque;
                return take;
            }
        };
        self.state = RxState::Chunked { at: next, off };
        take
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::http::masking::tests::lcg;

    /// A piece of a response stream: framing (kept as it is) or body (masked).
    #[derive(Clone, Copy)]
    enum P<'a> {
        F(&'a [u8]),
        B(&'a [u8]),
    }
    use P::{B, F};

    const SEED: u64 = 0xfeed_f00d;

    /// The stream, and what the tracker must make of it: each response's body bytes
    /// masked from offset 0.
    fn stream(responses: &[Vec<P<'_>>]) -> (Vec<u8>, Vec<u8>) {
        let (mut plain, mut masked) = (Vec::new(), Vec::new());
        for response in responses {
            let mut off = 0u64;
            for part in response {
                match *part {
                    F(b) => {
                        plain.extend_from_slice(b);
                        masked.extend_from_slice(b);
                    }
                    B(b) => {
                        plain.extend_from_slice(b);
                        let mut m = b.to_vec();
                        apply_mask(SEED, off, &mut m);
                        off += b.len() as u64;
                        masked.extend_from_slice(&m);
                    }
                }
            }
        }
        (plain, masked)
    }

    /// Feeds `plain` split at every position (and byte by byte) and checks the result.
    fn check_framing(method: ReqMethod, responses: &[Vec<P<'_>>]) {
        let (plain, want) = stream(responses);
        let run = |cuts: &[usize]| {
            let mut rx = Rx::default();
            rx.reset(method, Some(SEED));
            let mut out = plain.clone();
            let mut from = 0;
            for &cut in cuts.iter().chain([&plain.len()]) {
                rx.feed(&mut out[from..cut]);
                from = cut;
            }
            out
        };
        for k in 0..=plain.len() {
            let out = run(&[k]);
            assert_eq!(out.len(), plain.len());
            assert!(
                out == want,
                "split at {k}:\n got {:?}\nwant {:?}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want)
            );
        }
        let every: Vec<usize> = (1..plain.len()).collect();
        assert!(run(&every) == want, "byte by byte");
        // And the body bytes unmask to the original, per response.
        let mut at = 0;
        for response in responses {
            let (mut body, mut original) = (Vec::new(), Vec::new());
            for part in response {
                let (F(b) | B(b)) = *part;
                if let B(_) = part {
                    body.extend_from_slice(&want[at..at + b.len()]);
                    original.extend_from_slice(b);
                }
                at += b.len();
            }
            apply_mask(SEED, 0, &mut body);
            assert_eq!(body, original);
        }
    }

    #[test]
    fn framing_content_length() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length:  27 \r\n\r\n"),
                B(br#"{"access_token":"s3cr3t-x"}"#),
            ]],
        );
    }

    #[test]
    fn framing_chunked_with_extensions_and_trailers() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n\r\n"),
                F(b"5;name=val\r\n"),
                B(b"hello"),
                F(b"\r\n"),
                F(b"0B\r\n"),
                B(b" world\r\n0\r\n"),
                F(b"\r\n"),
                F(b" 1 ; x=\"y\"\r\n"),
                B(b";"),
                F(b"\r\n"),
                F(b"0;last\r\n"),
                F(b"X-Trailer: t0ken\r\n"),
                F(b"X-Other: 1\r\n"),
                F(b"\r\n"),
            ]],
        );
    }

    #[test]
    fn framing_no_body_for_204_304_and_head() {
        // The method, as the request head names it.
        assert_eq!(request_method(b"HEAD / HTTP/1.1\r\n"), ReqMethod::Head);
        assert_eq!(
            request_method(b"CONNECT a:1 HTTP/1.1\r\n"),
            ReqMethod::Connect
        );
        assert_eq!(request_method(b"POST / HTTP/1.1\r\n"), ReqMethod::Other);
        assert_eq!(request_method(b""), ReqMethod::Other);
        check_framing(
            ReqMethod::Other,
            &[
                vec![F(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")],
                vec![F(
                    b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                )],
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
                    B(b"body"),
                ],
            ],
        );
        check_framing(
            ReqMethod::Head,
            &[
                vec![F(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")],
                vec![F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")],
            ],
        );
        check_framing(
            ReqMethod::Connect,
            &[
                vec![F(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")],
                vec![F(b"HTTP/1.1 407 No\r\nContent-Length: 2\r\n\r\n"), B(b"no")],
            ],
        );
    }

    #[test]
    fn framing_informational_then_final() {
        check_framing(
            ReqMethod::Other,
            &[
                vec![F(b"HTTP/1.1 100 Continue\r\n\r\n")],
                vec![F(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")],
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
                    B(b"data"),
                ],
            ],
        );
    }

    #[test]
    fn framing_close_delimited() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
                B(b"all of it\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            ]],
        );
        // HTTP/1.0 ignores chunked.
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                B(b"3\r\nabc\r\n0\r\n\r\n"),
            ]],
        );
    }

    #[test]
    fn framing_back_to_back_on_one_connection() {
        check_framing(
            ReqMethod::Other,
            &[
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"),
                    B(b"first!"),
                ],
                vec![
                    // httparse skips empty lines before a status line, and takes
                    // bare LF line ends.
                    F(b"\r\n\nHTTP/1.1 201 Created\nTransfer-Encoding: chunked\n\n"),
                    F(b"6\r\n"),
                    B(b"second"),
                    F(b"\r\n0\r\n\r\n"),
                ],
                vec![
                    F(b"HTTP/1.0 200 OK\r\nContent-Length: 3,3\r\n\r\n"),
                    B(b"3rd"),
                ],
            ],
        );
    }

    #[test]
    fn framing_stops_masking_what_it_cannot_follow() {
        let bad: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000000000000000005\r\nhello",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\nanything",
            b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 2\r\n\r\nhi",
        ];
        for plain in bad {
            check_framing(ReqMethod::Other, &[vec![F(plain)]]);
        }
        // A chunk not followed by CRLF: the data is masked, what follows is not.
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n"),
                B(b"ab"),
                F(b"cd\r\n0\r\n\r\n"),
            ]],
        );
        // Random bytes, alone or after a head: no panic, no change of length.
        let mut rng = 3;
        for round in 0..200 {
            let mut bytes: Vec<u8> = if round % 2 == 0 {
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
            } else {
                Vec::new()
            };
            let alphabet = b"0123456789abcdefHTP/1. \r\n;:xX";
            for _ in 0..64 {
                bytes.push(alphabet[lcg(&mut rng) as usize % alphabet.len()]);
            }
            let mut rx = Rx::default();
            rx.reset(ReqMethod::Other, Some(SEED));
            let len = bytes.len();
            let cut = lcg(&mut rng) as usize % (len + 1);
            let (a, b) = bytes.split_at_mut(cut);
            rx.feed(a);
            rx.feed(b);
            assert_eq!(bytes.len(), len);
        }
    }

    #[test]
    fn framing_without_seed_changes_nothing() {
        let mut rx = Rx::default();
        rx.reset(ReqMethod::Other, None);
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".to_vec();
        rx.feed(&mut bytes);
        assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    }
}
