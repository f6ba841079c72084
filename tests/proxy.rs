//! A loopback HTTP proxy that misbehaves on cue, in front of a real server: refused answers, cut
//! connections, hangs, error statuses, 429 with Retry-After, broken JSON, a web page, and a delay
//! added to every request (a distant server). One request per connection, so each request is seen.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to a request instead of passing it on and back.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Answers with this status and an empty body, without passing the request on.
    Status(u16),
    /// 429 with `Retry-After` in seconds, without passing the request on.
    RateLimited(u64),
    /// Never answers.
    Hang,
    /// Starts an answer and breaks the connection, without passing the request on.
    CutOff,
    /// Passes the request on, so the server acts, and closes the connection without an answer.
    LoseAnswer,
    /// Passes the request on, then answers 500 as a failing proxy in front of a server would.
    ActThen500,
    /// 200 with a body that is not JSON.
    BrokenJson,
    /// 200 with a web page, as a wrong base URL gives.
    WebPage,
}

#[derive(Debug)]
struct Rule {
    method: &'static str,
    path_ends: String,
    fault: Fault,
    times: u32,
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub at: Instant,
}

#[derive(Debug, Default)]
struct Script {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
    /// Added to every request before it is passed on or misbehaves.
    delay: Duration,
    /// Answers passed back name the proxy where the server named itself.
    as_itself: bool,
}

/// The misbehaving proxy in front of a server.
#[derive(Debug)]
pub struct FaultProxy {
    pub base: String,
    script: Arc<Mutex<Script>>,
}

impl FaultProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        let own = base.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(
                    stream,
                    (upstream.clone(), own.clone()),
                    http.clone(),
                    shared.clone(),
                ));
            }
        });
        Self { base, script }
    }

    /// The next `times` requests of `method` to a path ending in `path_ends` meet `fault`.
    pub fn on(&self, method: &'static str, path_ends: &str, fault: Fault, times: u32) {
        self.script.lock().unwrap().rules.push(Rule {
            method,
            path_ends: path_ends.to_owned(),
            fault,
            times,
        });
    }

    /// Every request from now on waits `delay` first, as on a distant server.
    pub fn delay_each(&self, delay: Duration) {
        self.script.lock().unwrap().delay = delay;
    }

    /// From now on the answers passed back name the proxy where the server named itself (its
    /// issuer, endpoints, clients' management URLs), as a reverse proxy in front of it would:
    /// every request that follows them then goes through the proxy too.
    pub fn answer_as_itself(&self) {
        self.script.lock().unwrap().as_itself = true;
    }

    pub fn seen(&self, method: &str, path_ends: &str) -> Vec<Seen> {
        let script = self.script.lock().unwrap();
        script
            .seen
            .iter()
            .filter(|s| s.method == method && s.path.ends_with(path_ends))
            .cloned()
            .collect()
    }
}

/// One request per connection: read it, then pass it on or misbehave.
async fn serve(
    mut stream: TcpStream,
    (upstream, own): (String, String),
    http: reqwest::Client,
    script: Arc<Mutex<Script>>,
) {
    let Some((method, path, headers, body)) = read_request(&mut stream).await else {
        return;
    };
    let (fault, delay, as_itself) = {
        let mut script = script.lock().unwrap();
        script.seen.push(Seen {
            method: method.clone(),
            path: path.clone(),
            at: Instant::now(),
        });
        let rule = script.rules.iter_mut().find(|r| {
            r.times > 0
                && r.method == method
                && path.split('?').next().unwrap().ends_with(&r.path_ends)
        });
        let fault = rule.map(|r| {
            r.times -= 1;
            r.fault
        });
        (fault, script.delay, script.as_itself)
    };
    tokio::time::sleep(delay).await;
    let pass_on = || async {
        let mut request = http.request(method.parse().unwrap(), format!("{upstream}{path}"));
        for (name, value) in &headers {
            if !["host", "content-length", "connection"].contains(&name.as_str()) {
                request = request.header(name, value);
            }
        }
        let response = request.body(body.clone()).send().await.unwrap();
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| "application/json".into());
        (status, kind, response.bytes().await.unwrap().to_vec())
    };
    let answer = match fault {
        None => {
            let (status, kind, body) = pass_on().await;
            let body = match as_itself {
                true => String::from_utf8_lossy(&body)
                    .replace(&upstream, &own)
                    .into_bytes(),
                false => body,
            };
            response(status, &kind, &[], &body)
        }
        Some(Fault::Status(status)) => response(status, "application/json", &[], b""),
        Some(Fault::RateLimited(seconds)) => response(
            429,
            "application/json",
            &[("Retry-After", seconds.to_string())],
            b"",
        ),
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return;
        }
        Some(Fault::CutOff) => cut_off(),
        Some(Fault::LoseAnswer) => {
            pass_on().await;
            return;
        }
        Some(Fault::ActThen500) => {
            pass_on().await;
            response(500, "text/plain", &[], b"upstream failed")
        }
        Some(Fault::BrokenJson) => response(200, "application/json", &[], b"{\"id\": \"7c1f"),
        Some(Fault::WebPage) => response(
            200,
            "text/html; charset=utf-8",
            &[],
            b"<!doctype html><html><body>Sign in</body></html>",
        ),
    };
    let _ = stream.write_all(&answer).await;
    let _ = stream.shutdown().await;
}

type Request = (String, String, Vec<(String, String)>, Vec<u8>);

pub async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_owned(), start.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((method, path, headers, body))
}

pub fn response(status: u16, kind: &str, extra: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// An answer that promises a body and stops early: the connection breaks mid-answer.
fn cut_off() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{\"id\": \"".to_vec()
}
