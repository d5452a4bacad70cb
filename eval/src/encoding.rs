//! The encodings Nix writes hashes in, the one place for each: lower-case
//! hexadecimal, Nix's own base 32 (no `e`, `o`, `u`, `t`; least significant
//! group last), and base 64 (as in SRI hashes).

/// The alphabet of Nix's base-32 encoding.
pub const BASE32_ALPHABET: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encode bytes in Nix's base 32.
pub fn base32(bytes: &[u8]) -> String {
    let len = (bytes.len() * 8).div_ceil(5);
    let mut out = String::with_capacity(len);
    for n in (0..len).rev() {
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        let lo = bytes[i] as u16 >> j;
        let hi = if i + 1 < bytes.len() {
            (bytes[i + 1] as u16) << (8 - j)
        } else {
            0
        };
        out.push(BASE32_ALPHABET[((lo | hi) & 0x1f) as usize] as char);
    }
    out
}

/// Decode Nix's base 32; `None` for a character outside the alphabet or bits
/// beyond the decoded length.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let len = s.len() * 5 / 8;
    let mut out = vec![0u8; len];
    for (n, c) in s.bytes().rev().enumerate() {
        let d = BASE32_ALPHABET.iter().position(|a| *a == c)? as u16;
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        if i < len {
            out[i] |= (d << j) as u8;
        }
        if i + 1 < len {
            out[i + 1] |= (d >> (8 - j)) as u8;
        } else if (d >> (8 - j)) != 0 && j > 3 {
            return None;
        }
    }
    Some(out)
}

/// Whether `c` is a character of Nix's base 32.
pub fn is_base32_char(c: u8) -> bool {
    BASE32_ALPHABET.contains(&c)
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    for b in bytes {
        s.push(HEX_DIGITS[(b >> 4) as usize] as char);
        s.push(HEX_DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Decode hexadecimal (either case); `None` unless every pair is valid.
pub fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// The value of one hexadecimal digit.
pub fn hex_digit(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

/// Encode bytes in base 64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (chunk[0] as u32) << 16
            | (chunk.get(1).copied().unwrap_or(0) as u32) << 8
            | chunk.get(2).copied().unwrap_or(0) as u32;
        for k in 0..4 {
            if k <= n {
                out.push(BASE64_ALPHABET[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode base 64 (padding optional); `None` for a character outside the alphabet.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = BASE64_ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let data: Vec<u8> = (0u8..=255).step_by(7).collect();
        for n in 0..data.len() {
            let d = &data[..n];
            assert_eq!(hex_decode(&hex(d)).as_deref(), Some(d));
            assert_eq!(base64_decode(&base64(d)).as_deref(), Some(d));
            assert_eq!(base32_decode(&base32(d)).as_deref(), Some(d));
        }
    }

    #[test]
    fn known_values() {
        assert_eq!(hex(b"\x01\xab"), "01ab");
        assert_eq!(base64(b"nix"), "bml4");
        assert_eq!(base64(b"ni"), "bmk=");
        assert_eq!(base32(&[0x1f]), "0z");
        assert_eq!(base32_decode("e"), None);
    }
}
