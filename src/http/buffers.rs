//! The per-connection buffers: the sizes ureq's socket buffers are given
//! (`agent.rs`), and the TLS layer's own buffers (`tls.rs`), where ureq reads response
//! heads and bodies from under TLS.

use ureq::unversioned::transport::Buffers;

/// The size of each per-connection output buffer (ureq's default is 128 KiB). 16 KiB
/// is a TLS record; a body goes through in pieces; only one line of the request head
/// must fit, and a request line or header of more than 8 KiB is refused by the usual
/// servers anyway.
pub(crate) const BUFFER_BYTES: usize = 16 * 1024;

/// The size of each per-connection input buffer that response heads are read into:
/// a whole head must fit in one, so it is ureq's limit for a head (64 KiB).
pub(crate) const INPUT_BUFFER_BYTES: usize = 64 * 1024;

/// The size of each of the socket's buffers under TLS, which carry records (at most
/// 16 KiB of data and 256 bytes of framing and tag): there the heads are read from
/// the TLS layer's buffers ([`PlainBuffers`], up to [`INPUT_BUFFER_BYTES`]). ureq fills a
/// socket's buffers with zeros when the connection is made: 80 KiB at the sizes
/// above, 33 KiB at this one.
pub(crate) const RECORD_BUFFER_BYTES: usize = 16 * 1024 + 512;

/// The TLS layer's buffers, where ureq reads response heads and bodies from and
/// writes requests to: ureq's `LazyBuffers` with the same rules and largest sizes,
/// except that the input starts at a page and doubles when full (up to
/// [`INPUT_BUFFER_BYTES`], the largest head): ureq fills its buffers with zeros when a
/// connection is made, which for a new process that logs in and calls once was 80 KiB
/// written and 20 page faults where an answer of a few hundred bytes needs one page.
pub(crate) struct PlainBuffers {
    input: Vec<u8>,
    /// `input[consumed..filled]` is read and not yet consumed.
    filled: usize,
    consumed: usize,
    output: Vec<u8>,
    /// Whether the last consume took bytes (ureq's `can_use_input` rule).
    progress: bool,
}

/// The input buffer's first size.
const FIRST_INPUT_BYTES: usize = 4096;

/// The scratch space ureq wants in the input buffer when it sends a body (its own
/// `MIN_TMP_SIZE`).
const MIN_TMP_BYTES: usize = 10 * 1024;

impl PlainBuffers {
    pub(crate) fn new() -> PlainBuffers {
        PlainBuffers {
            input: vec![0; FIRST_INPUT_BYTES],
            filled: 0,
            consumed: 0,
            output: vec![0; BUFFER_BYTES],
            progress: false,
        }
    }

    /// The free space after the input, at least `want` bytes when the buffer may grow
    /// that far. Unconsumed bytes move to the front first when they are all consumed or
    /// past the middle (as ureq's `ConsumeBuf`); then a full buffer doubles, up to
    /// [`INPUT_BUFFER_BYTES`].
    fn free_mut(&mut self, want: usize) -> &mut [u8] {
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        } else if self.consumed > 0 && self.filled > self.input.len() / 2 {
            self.input.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        if self.input.len() - self.filled < want {
            // Never less than asked for, so never shorter than it is.
            let doubled = (self.input.len() * 2).min(INPUT_BUFFER_BYTES);
            self.input.resize(doubled.max(self.filled + want), 0);
        }
        &mut self.input[self.filled..]
    }
}

impl Buffers for PlainBuffers {
    fn output(&mut self) -> &mut [u8] {
        &mut self.output
    }

    fn input(&self) -> &[u8] {
        &self.input[self.consumed..self.filled]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        // Room for one byte at least, while under the largest size.
        let want = usize::from(self.input.len() < INPUT_BUFFER_BYTES);
        self.free_mut(want)
    }

    fn input_appended(&mut self, amount: usize) {
        self.filled += amount;
        assert!(self.filled <= self.input.len(), "more input than room");
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed += amount;
        assert!(self.consumed <= self.filled, "consumed more than was read");
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.free_mut(MIN_TMP_BYTES);
        (&mut self.input[self.filled..], &mut self.output)
    }

    fn can_use_input(&self) -> bool {
        self.consumed < self.filled && self.progress
    }
}
