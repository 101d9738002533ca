//! A small, deterministic fuzzing kit shared by the `fuzz_*` modules: byte
//! and structured (JSON) mutations of valid seeds plus arbitrary bytes, run
//! through a parser in-process with panics caught and the failing input
//! saved. Bounded for CI; `READINESS_FUZZ_CASES=N` runs N cases per target
//! instead of each target's default, `READINESS_FUZZ_SEED=S` another stream.

#![allow(dead_code)] // each fuzz_* module uses the part of the kit it needs

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use serde_json::Value;

/// splitmix64: the same stream for the same seed, on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    pub(crate) fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How many cases a target runs: `READINESS_FUZZ_CASES`, else `default`.
pub(crate) fn cases(default: usize) -> usize {
    std::env::var("READINESS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("READINESS_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x005E_ED0F_2EAD_1E55)
}

/// Bytes that parsers treat specially, spliced in by [`mutate_bytes`].
const TOKENS: &[&[u8]] = &[
    b"\0",
    b"\xff\xfe",
    b"\xc3\x28",
    b"<",
    b">",
    b"\"",
    b"'",
    b"&",
    b"&#0;",
    b"&amp;",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"-->",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"NaN",
    b"-Infinity",
    b"1e308",
    b"1e-310",
    b"-1",
    b"18446744073709551616",
    b"9999999999999999999999",
    b"\n",
    b"\r\n",
    b"\\",
    b"\\u0000",
    b"\\ud800",
];

/// One random byte-level mutation of `input`, with `extra` tokens of the
/// format (tag names, keys) mixed with the generic ones.
pub(crate) fn mutate_bytes(input: &[u8], extra: &[&[u8]], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.truncate(at),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                out.drain(at.min(end)..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            4 => {
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| (rng.next() & 0xff) as u8).collect();
                out.splice(at..at, bytes);
            }
            5 if !extra.is_empty() => {
                let t = rng.pick(extra).to_vec();
                out.splice(at..at, t);
            }
            _ => {
                let t = rng.pick(TOKENS).to_vec();
                out.splice(at..at, t);
            }
        }
    }
    out
}

/// Values that readers of JSON trip over.
fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::from(""),
        2 => Value::from("yes"),
        3 => Value::from(-1),
        4 => serde_json::json!(1e308),
        5 => serde_json::json!(1e-310),
        6 => Value::from(u64::MAX),
        7 => Value::from(i64::MIN),
        8 => serde_json::json!([]),
        9 => serde_json::json!({}),
        10 => Value::from(true),
        11 => Value::from("1970-01-01T00:00:00Z"),
        12 => Value::from("x".repeat(1 + rng.below(4096))),
        _ => {
            let mut v = Value::Null;
            for _ in 0..=rng.below(64) {
                v = serde_json::json!([v]);
            }
            v
        }
    }
}

/// One random structural mutation of a JSON document: a node replaced by
/// an odd value, a key removed, an array element repeated or removed.
pub(crate) fn mutate_json(doc: &Value, rng: &mut Rng) -> Value {
    let mut out = doc.clone();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        mutate_node(&mut out, rng, 0);
    }
    out
}

fn mutate_node(v: &mut Value, rng: &mut Rng, depth: usize) {
    let descend = depth < 12 && rng.below(4) != 0;
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            if rng.chance(6) {
                map.remove(&key);
            } else if let Some(child) = map.get_mut(&key) {
                mutate_node(child, rng, depth + 1);
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(6) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let dup = items[i].clone();
                    items.insert(i, dup);
                }
                _ => mutate_node(&mut items[i], rng, depth + 1),
            }
        }
        _ => *v = odd_value(rng),
    }
}

/// Runs `target` on `count` inputs derived from `seeds` (each seed as is,
/// then byte mutations, JSON mutations of seeds that parse as JSON, and
/// arbitrary bytes). A panic is caught, the input saved under
/// `target/fuzz-failures/`, and the test fails naming that file. Returns
/// how many inputs were tried.
pub(crate) fn run(
    name: &str,
    seeds: &[Vec<u8>],
    extra: &[&[u8]],
    count: usize,
    mut target: impl FnMut(&[u8]),
) -> usize {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    let mut rng = Rng::new(seed() ^ fnv(name));
    let json: Vec<Value> = seeds
        .iter()
        .filter_map(|s| serde_json::from_slice(s).ok())
        .collect();
    let mut tried = 0;
    for i in 0..count.max(seeds.len()) {
        let input = if i < seeds.len() {
            seeds[i].clone()
        } else {
            match rng.below(10) {
                0 => (0..rng.below(512))
                    .map(|_| (rng.next() & 0xff) as u8)
                    .collect(),
                1..=4 if !json.is_empty() => {
                    let doc = rng.pick(&json).clone();
                    serde_json::to_vec(&mutate_json(&doc, &mut rng)).unwrap_or_default()
                }
                _ => {
                    let seed = rng.pick(seeds).clone();
                    mutate_bytes(&seed, extra, &mut rng)
                }
            }
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        tried += 1;
        if outcome.is_err() {
            let path = save_failure(name, i, &input);
            panic!(
                "{name}: case {i} panicked; input saved to {}",
                path.display()
            );
        }
    }
    tried
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn save_failure(name: &str, case: usize, input: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}-{case}.bin"));
    let _ = std::fs::write(&path, input);
    path
}

/// The kit itself: mutations are deterministic and do change their input.
#[test]
fn mutations_are_deterministic_and_change_the_input() {
    let seed = br#"{"a": [1, 2, {"b": "c"}], "d": null}"#.to_vec();
    let doc: Value = serde_json::from_slice(&seed).unwrap();
    let (mut r1, mut r2) = (Rng::new(7), Rng::new(7));
    let mut changed = 0;
    for _ in 0..100 {
        let a = mutate_bytes(&seed, &[b"<x>"], &mut r1);
        let b = mutate_bytes(&seed, &[b"<x>"], &mut r2);
        assert_eq!(a, b);
        changed += usize::from(a != seed);
        assert_eq!(mutate_json(&doc, &mut r1), mutate_json(&doc, &mut r2));
    }
    assert!(
        changed > 80,
        "only {changed} of 100 byte mutations changed the seed"
    );
}

/// A panicking target fails the run and names the saved input.
#[test]
fn a_panic_is_caught_and_reported_with_its_input() {
    let result = catch_unwind(|| {
        run("kit-selftest", &[b"ok".to_vec()], &[], 50, |input| {
            assert!(input != b"ok".as_slice() || input.is_empty(), "boom");
        });
    });
    let message = result.expect_err("the run should fail");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("kit-selftest: case 0 panicked"), "{text}");
    assert!(text.contains("fuzz-failures"), "{text}");
}
