//! `--shard I/N`: a stable, disjoint share of a batch's input. A project
//! belongs to shard `FNV-1a 64(lower-cased OWNER/REPO) mod N`, a hash fixed
//! by its published constants (not Rust's `DefaultHasher`, which may change
//! between versions), so every version on every platform splits the same
//! way, and adding a project moves no other.

use std::fmt;
use std::str::FromStr;

/// The FNV-1a 64 offset basis (<http://www.isthe.com/chongo/tech/comp/fnv/>).
const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV 64 prime, 2^40 + 2^8 + 0xb3.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`: for each byte, xor it in, then multiply by the prime.
#[must_use]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET_BASIS, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// One share of `count`: shard `index` (0-based, as a Kubernetes
/// `JOB_COMPLETION_INDEX` is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the project named `name` (`OWNER/REPO`) is in this shard.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        fnv1a64(name.to_lowercase().as_bytes()) % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with `0 <= I < N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = |why: &str| format!("--shard {s:?}: {why}; write I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.trim().split_once('/').ok_or_else(|| bad("no '/'"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| bad("I is not a whole number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if count == 0 {
            return Err(bad("N is 0"));
        }
        if index >= count {
            return Err(bad("I is not below N (shards count from 0)"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors of the FNV reference (Landon Curt Noll's `test_fnv.c`, FNV-1a 64).
    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        let vectors: [(&[u8], u64); 8] = [
            (b"", 0xcbf2_9ce4_8422_2325),
            (b"a", 0xaf63_dc4c_8601_ec8c),
            (b"b", 0xaf63_df4c_8601_f1a5),
            (b"c", 0xaf63_de4c_8601_eff2),
            (b"foo", 0xdcb2_7518_fed9_d577),
            (b"foobar", 0x8594_4171_f739_67e8),
            (b"chongo was here!\n", 0x4681_0940_eff5_f915),
            (b"\xff\x00\x00\x01", 0x6961_1964_91cc_682d),
        ];
        for (input, want) in vectors {
            assert_eq!(fnv1a64(input), want, "{input:?}");
        }
    }

    #[test]
    fn shards_parse_and_refuse_what_is_not_i_of_n() {
        assert_eq!("3/8".parse(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!(" 0 / 1 ".parse::<Shard>().unwrap().to_string(), "0/1");
        for bad in ["8/8", "1/0", "x/2", "1", "-1/2", "1/2/3", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("--shard") && e.contains("I/N"), "{bad}: {e}");
        }
    }

    #[test]
    fn membership_ignores_case_and_is_disjoint_and_complete() {
        let names: Vec<String> = (0..500)
            .map(|i| format!("Owner{i}/Repo{}", i * 7))
            .collect();
        let n = 7;
        for name in &names {
            let hits = (0..n)
                .filter(|&i| Shard { index: i, count: n }.contains(name))
                .count();
            assert_eq!(hits, 1, "{name}");
            let lower = name.to_lowercase();
            assert!((0..n).all(|i| {
                let s = Shard { index: i, count: n };
                s.contains(name) == s.contains(&lower)
            }));
        }
    }
}
