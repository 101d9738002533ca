//! Two things the compiler cannot find alone:
//!
//! - `cfg(realdata)`, set when `../shared/realdata` (real public data kept
//!   beside the repository, never in it) is present, so the tests that read
//!   it run there and are listed as ignored elsewhere, never passed silently;
//! - the signal families: every `src/signals/families/NAME.rs` is one, declared
//!   as `signals::NAME` and listed in `signals::FAMILIES` by the code written
//!   here (`$OUT_DIR/families.rs`, included by `src/signals/mod.rs`), so that a
//!   new family is its own file and no list is edited by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(realdata)");
    println!("cargo::rerun-if-changed=build.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if root.join("../shared/realdata").is_dir() {
        println!("cargo::rustc-cfg=realdata");
    }
    families(root);
}

/// Rust's keywords that are lower-case words: no module can be named so.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Writes `$OUT_DIR/families.rs`: one `pub mod` per file of
/// `src/signals/families/` (by `#[path]`, so the module is `signals::NAME`),
/// and `FOUND`, each family's `FAMILY`, in file-name order.
fn families(root: &Path) {
    let dir = root.join("src/signals/families");
    // A folder named here is scanned whole: a file added or removed reruns this.
    println!("cargo::rerun-if-changed=src/signals/families");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") && p.is_file())
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    names.sort();
    let mut out =
        String::from("// Written by build.rs from src/signals/families/: do not edit.\n\n");
    for name in &names {
        let ident = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !KEYWORDS.contains(&name.as_str());
        assert!(
            ident,
            "src/signals/families/{name}.rs: a family's file name must be a module name (lower case, digits, _; not a Rust keyword)"
        );
        let path = dir.join(format!("{name}.rs"));
        writeln!(
            out,
            "#[path = {:?}]\npub mod {name};",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("\n/// Every family of `src/signals/families/`, in file-name order.\n");
    out.push_str("static FOUND: &[&dyn Family] = &[\n");
    for name in &names {
        writeln!(out, "    {name}::FAMILY,").expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let file = Path::new(&out_dir).join("families.rs");
    std::fs::write(&file, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
}
