//! `compare` collects its targets at the same time. A barrier in front of
//! the fake GitHub holds every connection's first request until each target
//! has asked: collected one after another, the first target would wait for
//! the others forever (here: until the barrier gives up and says so).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::common::Workspace;
use crate::github::{SECRET, mount_empty_repo, start_server};

/// How long the barrier waits before it lets a request through and records
/// that the targets did not all ask: only a failing run waits this long.
const GIVE_UP: Duration = Duration::from_secs(15);

#[derive(Default)]
struct Seen {
    /// The targets that have asked.
    names: Vec<String>,
    /// A request the barrier let through without every target having asked.
    gave_up: bool,
}

/// A loopback proxy to `upstream` with the barrier over `targets`.
struct Barrier {
    port: u16,
    seen: Arc<(Mutex<Seen>, Condvar)>,
}

impl Barrier {
    fn start(upstream: &str, targets: &[&str]) -> Barrier {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new((Mutex::new(Seen::default()), Condvar::new()));
        let upstream = upstream.trim_start_matches("http://").to_string();
        let targets: Vec<String> = targets.iter().map(|t| (*t).to_string()).collect();
        let shared = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (seen, upstream, targets) = (shared.clone(), upstream.clone(), targets.clone());
                std::thread::spawn(move || serve(client, &upstream, &targets, &seen));
            }
        });
        Barrier { port, seen }
    }

    fn uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Reads the first request of a connection until it names a target (in its
/// path or its GraphQL body), waits for every target, then pipes the
/// connection to the fake.
fn serve(mut client: TcpStream, upstream: &str, targets: &[String], seen: &(Mutex<Seen>, Condvar)) {
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    let name = loop {
        let Ok(n) = client.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        head.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&head);
        if let Some(t) = targets.iter().find(|t| text.contains(t.as_str())) {
            break Some(t.clone());
        }
        if complete(&text) {
            break None; // a request about no target passes
        }
    };
    if let Some(name) = name {
        wait_for_all(name, targets.len(), seen);
    }
    let mut server = TcpStream::connect(upstream).unwrap();
    server.write_all(&head).unwrap();
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(Shutdown::Write);
}

/// Whether `text` holds a whole request: its head, and as much body as
/// `content-length` says.
fn complete(text: &str) -> bool {
    let Some(end) = text.find("\r\n\r\n") else {
        return false;
    };
    let length = text[..end]
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    text.len() >= end + 4 + length
}

/// Records that `name` has asked, then waits until `count` targets have.
fn wait_for_all(name: String, count: usize, seen: &(Mutex<Seen>, Condvar)) {
    let (lock, all_in) = seen;
    let mut s = lock.lock().unwrap();
    if !s.names.contains(&name) {
        s.names.push(name);
        all_in.notify_all();
    }
    let (mut s, timeout) = all_in
        .wait_timeout_while(s, GIVE_UP, |s| s.names.len() < count)
        .unwrap();
    if timeout.timed_out() {
        s.gave_up = true;
    }
}

#[test]
fn targets_are_collected_at_the_same_time() {
    let (rt, server) = start_server();
    rt.block_on(mount_empty_repo(&server, "gadget"));
    rt.block_on(mount_empty_repo(&server, "gizmo"));
    let targets = ["widget", "gadget", "gizmo"];
    let barrier = Barrier::start(&server.uri(), &targets);
    let ws = Workspace::new();
    let api = barrier.uri();
    let out = ws
        .run(&[
            "compare",
            "acme/widget",
            "acme/gadget",
            "acme/gizmo",
            "--api-url",
            api.as_str(),
            "--token",
            SECRET,
            "--no-cache",
            "--until",
            "2026-08-20",
        ])
        .ok();
    assert!(
        out.starts_with("# Readiness comparison: acme/widget vs acme/gadget vs acme/gizmo"),
        "{out}"
    );
    let s = barrier.seen.0.lock().unwrap();
    assert_eq!(s.names.len(), 3, "{:?}", s.names);
    assert!(
        !s.gave_up,
        "a target's first request waited {GIVE_UP:?} for the others: the targets were collected one after another"
    );
}
