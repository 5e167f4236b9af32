//! Keeping secrets out of ureq-proto's log: the keystream and the placeholder swaps.
//!
//! ureq-proto logs at TRACE every request head and body it writes and every response
//! head and body chunk it reads, as hex and ASCII rows. So the HTTP layer gives ureq
//! placeholders and masked bytes, and the secrets exist only below ureq-proto, in the
//! transport ([`Frugal`]):
//!
//! * in the request head, each placeholder of [`Exchange::swaps`] is replaced by the
//!   real value just before the head goes to the socket ([`apply_swaps`]);
//! * the request body comes XOR-masked ([`apply_mask`] with the exchange's seed) and
//!   is unmasked just before it goes to the socket;
//! * the body bytes of each response are masked (with [`incoming_seed`]) as they come
//!   in, before ureq-proto sees them; the HTTP layer unmasks what ureq's body reader
//!   gives it. The framing tracker ([`Rx`]) finds those bytes: response heads,
//!   chunk-size lines and trailers stay as they are.
//!
//! [`Frugal`]: super::transport::Frugal
//! [`Exchange::swaps`]: super::exchange::Exchange::swaps
//! [`Rx`]: super::framing::Rx
#![forbid(unsafe_code)]

// ---------------------------------------------------------------------------------
// The keystream
// ---------------------------------------------------------------------------------

/// The splitmix64 increment.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's finaliser: a cheap bijection that spreads every input bit.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The keystream's 8 bytes at stream position `8 * block`.
#[inline]
fn block_key(seed: u64, block: u64) -> [u8; 8] {
    mix(seed.wrapping_add(block.wrapping_add(1).wrapping_mul(GOLDEN))).to_le_bytes()
}

/// XORs `bytes` with the keystream of `seed`, `bytes[0]` being at stream position
/// `offset`. Applying it twice restores the bytes, and a stream may be processed in
/// pieces of any size. This keeps secrets out of log records; it is no encryption.
pub(super) fn apply_mask(seed: u64, offset: u64, bytes: &mut [u8]) {
    let mut block = offset / 8;
    let skip = (offset % 8) as usize;
    let mut rest = bytes;
    if skip != 0 {
        let key = block_key(seed, block);
        let n = (8 - skip).min(rest.len());
        let (head, tail) = rest.split_at_mut(n);
        for (b, k) in head.iter_mut().zip(&key[skip..]) {
            *b ^= k;
        }
        rest = tail;
        block = block.wrapping_add(1);
    }
    let mut chunks = rest.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let key = block_key(seed, block);
        for (b, k) in chunk.iter_mut().zip(key) {
            *b ^= k;
        }
        block = block.wrapping_add(1);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let key = block_key(seed, block);
        for (b, k) in tail.iter_mut().zip(key) {
            *b ^= k;
        }
    }
}

/// The seed response bodies are masked with, for an exchange masked with `seed`.
pub(super) fn incoming_seed(seed: u64) -> u64 {
    mix(seed ^ 0x5DEE_CE66_D1CE_4E5B)
}

// ---------------------------------------------------------------------------------
// The placeholder swaps
// ---------------------------------------------------------------------------------

/// The first position of `needle` in `hay` (the transport also finds the end of a
/// request head with it).
///
/// Scans for the first byte and compares the rest only there: `windows().position()`
/// called `memcmp` at every position, 7,500 instructions per call for one
/// Authorization placeholder in a 300-byte head.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut from = 0;
    while from <= last_start {
        let at = from + hay[from..=last_start].iter().position(|b| *b == first)?;
        if hay[at + 1..at + needle.len()] == *rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Replaces every occurrence of each placeholder in `head` by its real bytes.
pub(super) fn apply_swaps(head: &mut Vec<u8>, swaps: &[(Vec<u8>, Vec<u8>)]) {
    for (placeholder, real) in swaps {
        if placeholder.is_empty() {
            // An empty value: nothing to swap.
            continue;
        }
        debug_assert_eq!(
            placeholder.len(),
            real.len(),
            "a placeholder of another length"
        );
        let mut from = 0;
        let mut found = false;
        while let Some(at) = head.get(from..).and_then(|h| find(h, placeholder)) {
            let at = from + at;
            let end = at + placeholder.len();
            if placeholder.len() == real.len() {
                head[at..end].copy_from_slice(real);
            } else {
                head.splice(at..end, real.iter().copied());
            }
            from = at + real.len();
            found = true;
        }
        debug_assert!(found, "a placeholder is not in the request head");
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small deterministic generator for test data (the framing tests use it too).
    pub(crate) fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn find_agrees_with_a_plain_search() {
        let plain = |hay: &[u8], needle: &[u8]| {
            if needle.is_empty() || needle.len() > hay.len() {
                return None;
            }
            hay.windows(needle.len()).position(|w| w == needle)
        };
        let hays: [&[u8]; 6] = [b"", b"a", b"aaab", b"abab\r\n\r\n", b"xaaabyaab", b"ab"];
        let needles: [&[u8]; 7] = [b"", b"a", b"b", b"ab", b"aab", b"\r\n\r\n", b"abc"];
        for hay in hays {
            for needle in needles {
                assert_eq!(find(hay, needle), plain(hay, needle), "{hay:?} {needle:?}");
            }
        }
    }

    #[test]
    fn mask_round_trips_in_any_pieces() {
        let mut rng = 7;
        let plain: Vec<u8> = (0..300).map(|_| lcg(&mut rng) as u8).collect();
        for seed in [0, 1, u64::MAX, 0x1234_5678_9abc_def0] {
            let mut whole = plain.clone();
            apply_mask(seed, 0, &mut whole);
            assert_ne!(whole, plain);
            // The same stream masked in pieces of every size, at every start.
            for start in [0usize, 1, 7, 8, 9, 63] {
                for piece in 1..=20 {
                    let mut parts = plain[start..].to_vec();
                    let mut at = 0;
                    while at < parts.len() {
                        let end = (at + piece).min(parts.len());
                        apply_mask(seed, (start + at) as u64, &mut parts[at..end]);
                        at = end;
                    }
                    assert_eq!(
                        parts,
                        whole[start..],
                        "seed {seed} start {start} piece {piece}"
                    );
                    apply_mask(seed, start as u64, &mut parts);
                    assert_eq!(parts, plain[start..]);
                }
            }
            // Far into a stream, and near the end of the offsets.
            for offset in [1u64 << 40, u64::MAX - 20] {
                let mut a = plain[..21].to_vec();
                apply_mask(seed, offset, &mut a);
                let mut b = plain[..21].to_vec();
                apply_mask(seed, offset, &mut b[..5]);
                apply_mask(seed, offset + 5, &mut b[5..]);
                assert_eq!(a, b);
                apply_mask(seed, offset, &mut a);
                assert_eq!(a, plain[..21]);
            }
        }
        assert_ne!(incoming_seed(1), 1);
        assert_ne!(incoming_seed(1), incoming_seed(2));
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        apply_mask(1, 0, &mut a);
        apply_mask(incoming_seed(1), 0, &mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn swaps_replace_every_placeholder() {
        let mut head = b"GET / HTTP/1.1\r\nA: PPPP\r\nB: PPPP QQ\r\n\r\n".to_vec();
        apply_swaps(
            &mut head,
            &[
                (b"PPPP".to_vec(), b"s3cr".to_vec()),
                (b"QQ".to_vec(), b"zz".to_vec()),
            ],
        );
        assert_eq!(head, b"GET / HTTP/1.1\r\nA: s3cr\r\nB: s3cr zz\r\n\r\n");
        apply_swaps(&mut head, &[(Vec::new(), Vec::new())]);
        assert_eq!(head, b"GET / HTTP/1.1\r\nA: s3cr\r\nB: s3cr zz\r\n\r\n");
    }
}
