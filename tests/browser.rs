//! The self-check page in real browsers: headless Chromium over WebDriver
//! (typing and clicking as a student does, screenshots, printing) and
//! headless Firefox over WebDriver BiDi (the same checks through the page's
//! script). Typing the key's answers marks all correct; a wrong h is wrong
//! and the y computed from it follows; a slip is marked with its hint;
//! progress survives a reload; the source holds no answer.
//!
//! Every test here is `#[ignore]`d, so a plain `cargo test` on a machine
//! without the browsers reports them as ignored with the reason; `.ci/run`
//! installs Debian's `chromium`, `chromium-driver` and `firefox-esr` and runs
//! them with `--ignored`. Both clients are small: WebDriver is HTTP and JSON,
//! BiDi is JSON over a WebSocket (tungstenite); no async runtime.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backprop_worksheet::page;
use common::{page_fields, root, run, s};
use serde_json::{json, Value as Json};

/// What the checks need of a browser.
trait Browser {
    /// Opens `file` and waits until it has loaded.
    fn open(&self, file: &Path);
    /// Runs `script` (a function body, its arguments `arguments[i]` from
    /// `args`) in the page and returns what it returns, as JSON.
    fn script(&self, script: &str, args: Json) -> Json;
    /// Types `text` into the field matching `css`, replacing what it holds.
    fn type_into(&self, css: &str, text: &str);
    /// Clicks the element matching `css`.
    fn click(&self, css: &str);
}

/// A minimal WebDriver client for Chromium: HTTP/1.1 with one request per connection.
struct Driver {
    port: u16,
    session: String,
    process: Child,
}

fn http(port: u16, method: &str, path: &str, body: Option<&Json>) -> Json {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("chromedriver answers");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver may keep the connection open: read what the headers announce.
    let mut response = Vec::new();
    let mut buf = [0u8; 65536];
    let body = loop {
        let n = stream.read(&mut buf).unwrap();
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let head = head.to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|l| l.trim().parse::<usize>().ok());
            match length {
                Some(length) if rest.len() >= length => break rest[..length].to_owned(),
                None if head.contains("transfer-encoding: chunked") && rest.ends_with("0\r\n\r\n") => {
                    break dechunk(rest)
                }
                None if n == 0 => break rest.to_owned(),
                _ => {}
            }
        }
        assert!(n > 0, "chromedriver closed the connection early");
    };
    let json: Json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    if let Some(error) = json["value"].get("error") {
        panic!("WebDriver {method} {path}: {error}: {}", json["value"]["message"]);
    }
    json["value"].clone()
}

impl Driver {
    fn start() -> Driver {
        let chromium = ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| which(name))
            .expect("the browser test needs Chromium: apt-get install -y chromium chromium-driver");
        let chromedriver =
            which("chromedriver").expect("the browser test needs chromedriver: apt-get install -y chromium-driver");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1000,1400",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let session = http(
            port,
            "POST",
            "/session",
            Some(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args}
            }}})),
        );
        let session = session["sessionId"].as_str().expect("a session").to_owned();
        Driver { port, session, process }
    }

    fn call(&self, method: &str, path: &str, body: Option<Json>) -> Json {
        http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref())
    }

    fn element(&self, css: &str) -> String {
        let found = self.call("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        found.as_object().and_then(|o| o.values().next()).and_then(Json::as_str).unwrap().to_owned()
    }

    fn screenshot(&self) -> Vec<u8> {
        base64(self.call("GET", "/screenshot", None).as_str().unwrap())
    }
}

/// Chromium types and clicks as a student does, through WebDriver.
impl Browser for Driver {
    fn open(&self, file: &Path) {
        self.call("POST", "/url", Some(json!({"url": format!("file://{}", file.display())})));
    }

    fn script(&self, script: &str, args: Json) -> Json {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css);
        self.call("POST", &format!("/element/{element}/clear"), Some(json!({})));
        self.call("POST", &format!("/element/{element}/value"), Some(json!({"text": text})));
    }

    fn click(&self, css: &str) {
        let element = self.element(css);
        self.call("POST", &format!("/element/{element}/click"), Some(json!({})));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| http(self.port, "DELETE", &format!("/session/{}", self.session), None));
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A minimal WebDriver BiDi client for Firefox: JSON commands over the
/// WebSocket Firefox's remote agent serves (`--remote-debugging-port`), no
/// geckodriver. Fields are filled and buttons pressed through the page's DOM.
struct Firefox {
    socket: std::cell::RefCell<tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>>,
    context: String,
    next: std::cell::Cell<u64>,
    process: Child,
}

impl Firefox {
    fn start() -> Firefox {
        let firefox = ["firefox-esr", "firefox"]
            .iter()
            .find_map(|name| which(name))
            .expect("the Firefox test needs Firefox: apt-get install -y firefox-esr");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let profile = tempfile::tempdir().unwrap().keep();
        let process = Command::new(firefox)
            .args(["--headless", "--no-remote", "--remote-debugging-port", &port.to_string(), "--profile", s(&profile)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Firefox starts");
        let started = Instant::now();
        let socket = loop {
            match tungstenite::connect(format!("ws://127.0.0.1:{port}/session")) {
                Ok((socket, _)) => break socket,
                Err(_) => {
                    assert!(started.elapsed() < Duration::from_secs(60), "Firefox's remote agent did not listen");
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        };
        let mut firefox = Firefox {
            socket: std::cell::RefCell::new(socket),
            context: String::new(),
            next: std::cell::Cell::new(1),
            process,
        };
        firefox.command("session.new", json!({"capabilities": {}}));
        let tree = firefox.command("browsingContext.getTree", json!({}));
        firefox.context = tree["contexts"][0]["context"].as_str().expect("a browsing context").to_owned();
        firefox
    }

    /// Sends one command and returns its result, skipping events.
    fn command(&self, method: &str, params: Json) -> Json {
        let id = self.next.get();
        self.next.set(id + 1);
        let mut socket = self.socket.borrow_mut();
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        socket.send(tungstenite::Message::text(message)).expect("BiDi send");
        loop {
            let reply = socket.read().expect("BiDi read");
            let Ok(text) = reply.to_text() else { continue };
            let reply: Json = serde_json::from_str(text).unwrap_or_default();
            if reply["id"] == json!(id) {
                assert_eq!(reply["type"], "success", "BiDi {method}: {reply}");
                return reply["result"].clone();
            }
        }
    }
}

/// Firefox runs the same checks through the page's DOM.
impl Browser for Firefox {
    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.command("browsingContext.navigate", json!({"context": self.context, "url": url, "wait": "complete"}));
    }

    fn script(&self, script: &str, args: Json) -> Json {
        let expression = format!("JSON.stringify((function () {{ {script} }}).apply(null, {args}))");
        let target = json!({"context": self.context});
        let result =
            self.command("script.evaluate", json!({"expression": expression, "target": target, "awaitPromise": false}));
        assert_eq!(result["type"], "success", "script: {result}");
        match result["result"]["value"].as_str() {
            Some(text) => serde_json::from_str(text).unwrap(),
            None => Json::Null,
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let script = "var f = document.querySelector(arguments[0]); f.focus(); f.value = arguments[1]; \
            f.dispatchEvent(new Event('input', {bubbles: true}));";
        self.script(script, json!([css, text]));
    }

    fn click(&self, css: &str) {
        self.script("document.querySelector(arguments[0]).click();", json!([css]));
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.socket.get_mut().close(None);
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | (u32::from(value(c)) << (18 - 6 * i)));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// Fills every number and choice field with the key's answer (from `answers
/// --format json`), leaving written answers empty.
const FILL: &str = "var key = arguments[0]; \
    document.querySelectorAll('[data-answer]').forEach(function (f) { \
      var a = key[f.dataset.answer]; if (f.tagName === 'TEXTAREA') return; \
      var v = typeof a === 'string' ? a : typeof a === 'boolean' ? (a ? 'yes' : 'no') : a && (a.approx || a.text); \
      if (f.tagName === 'SELECT' && f.dataset.answer === 'strongest_weight' && !/^w\\d$/.test(v)) v = 'tie'; \
      f.value = v; f.dispatchEvent(new Event('input')); });";

/// Every field's answer id, state and mark text.
const STATES: &str = "return Array.prototype.map.call(document.querySelectorAll('[data-answer]'), function (f) { \
    return [f.id, f.dataset.answer, f.dataset.state || '', document.getElementById(f.id + '-mark').textContent]; });";

fn states(driver: &dyn Browser) -> Vec<(String, String, String, String)> {
    serde_json::from_value(driver.script(STATES, json!([]))).unwrap()
}

fn cli_json(args: &[&str]) -> BTreeMap<String, Json> {
    let out = run(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One sheet in the browser: the key's answers all correct; a wrong h wrong
/// and the y computed from it `follows`; a slip marked with its hint.
/// `sheet` picks the sheet for `answers` (`--variant 2`, `--student Zoe`);
/// `draw` is what `generate` and `answers` share.
fn check_sheet(driver: &dyn Browser, dir: &Path, config: &str, draw: &[&str], sheet: &[&str], file: &str) {
    // The sheets share one folder: each run replaces the one before (--replace).
    let mut args = vec!["generate", config, "--format", "html", "--out", s(dir), "--quiet", "--replace"];
    args.extend(draw);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The same sheet's answers.
    let mut answer_args: Vec<&str> = vec!["answers", config, "--format", "json"];
    for pair in draw.chunks(2).filter(|pair| pair[0] != "--variants") {
        answer_args.extend(pair);
    }
    answer_args.extend(sheet);
    let key = cli_json(&answer_args);
    let mut slip_args = answer_args.clone();
    slip_args.push("--slips");
    let slips = cli_json(&slip_args);
    let path = dir.join(file);
    let html = std::fs::read_to_string(&path).unwrap();
    for id in ["y", "error", "grad_w1", "new_error"] {
        let value = key[id].as_str().unwrap();
        assert!(!html.contains(&format!("\"{value}\"")), "{file}: the answer {id} = {value} is in the page");
    }
    driver.open(&path);
    driver.script("localStorage.clear();", json!([]));
    // Navigating (not `location.reload()`) waits until the page has loaded.
    driver.open(&path);

    // The key's answers: every number and word correct.
    driver.script(FILL, json!([key]));
    driver.click("#check");
    let all = states(driver);
    for (_, id, state, mark) in &all {
        let text = matches!(key[id.as_str()], Json::Object(ref o) if o.contains_key("text"))
            && !["nudge_w1.direction", "strongest_weight"].contains(&id.as_str())
            && !id.ends_with(".direction");
        if text {
            assert_eq!(state, "empty", "{file}: the written answer {id} was left empty");
        } else {
            assert_eq!(state, "correct", "{file}: {id} typed from the key ({mark})");
        }
    }
    assert!(all.len() > 40, "{file}: {} fields", all.len());
    // Progress survives a reload.
    driver.script("window.beforeReload = true;", json!([]));
    driver.open(&path);
    assert_eq!(driver.script("return window.beforeReload === undefined;", json!([])), json!(true), "a fresh page");
    let kept = driver.script("return document.querySelector('[data-answer=\"y\"]').value;", json!([]));
    assert_eq!(kept.as_str(), key["y"].as_str(), "{file}: progress kept in localStorage");

    // Equivalent spellings: a true minus, a leading +, trailing zeros.
    let error = key["error"].as_str().unwrap();
    let spelled = if error.starts_with('-') { error.replacen('-', "\u{2212}", 1) } else { format!("+{error}") };
    let spelled = if spelled.contains('.') { format!("{spelled}00") } else { format!("{spelled}.0") };
    driver.type_into("[data-answer=\"error\"]", &spelled);

    // A wrong h: wrong, and the y computed from it follows.
    let h = key["h1"].as_str().unwrap();
    let wrong_h = format!("{}", h.parse::<i64>().map(|n| n + 100).unwrap_or(1234));
    driver.type_into("#f2", &wrong_h);
    let c2 = key["c2"].as_str().unwrap();
    let w2 = key["w2"].as_str().unwrap();
    let layers = key.keys().filter(|k| k.len() == 2 && k.starts_with('c')).count();
    // y (or h2) from the wrong h, exactly: c2 · h + w2.
    let next = if layers == 2 { "y" } else { "h2" };
    let follow = exact_linear(c2, &wrong_h, w2);
    let next_field = all.iter().find(|(_, id, _, _)| id == next).unwrap().0.clone();
    driver.type_into(&format!("#{next_field}"), &follow);

    // A slip: E's first common slip.
    let slip = &slips["error"][0];
    let error_field = all.iter().find(|(_, id, _, _)| id == "error").unwrap().0.clone();
    driver.click("#check");
    let after = states(driver);
    let state_of = |field: &str| after.iter().find(|(f, ..)| f == field).unwrap().clone();
    assert_eq!(state_of(&error_field).2, "correct", "{file}: E spelled {spelled}");
    assert_eq!(state_of("f2").2, "wrong", "{file}: h = {wrong_h}");
    assert!(state_of("f2").3.contains('\u{2717}'), "{file}: a symbol, not colour alone");
    assert_eq!(state_of(&next_field).2, "follows", "{file}: {next} = {follow} from h = {wrong_h}");
    driver.type_into(&format!("#{error_field}"), slip["value"].as_str().unwrap());
    driver.click("#check");
    let (_, _, state, mark) = states(driver).into_iter().find(|(f, ..)| *f == error_field).unwrap();
    assert_eq!(state, "slip", "{file}: E = {}", slip["value"]);
    assert!(mark.contains(slip["slip"].as_str().unwrap()), "{file}: the slip's hint is shown: {mark}");
    // A model answer is shown only after an attempt.
    let reveal = driver.script("return document.querySelector('button.reveal').disabled;", json!([]));
    assert_eq!(reveal, json!(true), "{file}: no model answer before an attempt");

    // Nothing was fetched: no script, style, font or image from anywhere.
    let fetched = driver
        .script("return performance.getEntriesByType('resource').map(function (r) { return r.name; });", json!([]));
    assert_eq!(fetched, json!([]), "{file}: the page loaded resources");
    // Every field has a name a screen reader announces.
    let unnamed = driver.script(
        "return Array.prototype.filter.call(document.querySelectorAll('[data-answer]'), function (f) { \
           return !(f.labels && f.labels.length && f.labels[0].textContent.trim()); }).map(function (f) { return f.id; });",
        json!([]),
    );
    assert_eq!(unnamed, json!([]), "{file}: fields without a label");
}

/// c · h + w as exact decimal text./// c · h + w as exact decimal text.
fn exact_linear(c: &str, h: &str, w: &str) -> String {
    let parse = |t: &str| backprop_worksheet::number::Exact::parse(t).unwrap();
    (&(&parse(c) * &parse(h)) + &parse(w)).to_plain_string()
}

#[test]
#[ignore = "drives headless Chromium over WebDriver: needs `chromium` and `chromedriver` (.ci/run installs them and runs this with --ignored)"]
fn the_page_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    check_sheet(&driver, dir.path(), "configs/classic.yaml", &[], &[], "classic-student.html");
    check_sheet(&driver, dir.path(), "configs/three-layers.yaml", &[], &[], "three-layers-student.html");
    let variant = ["--variants", "3", "--seed", "7"];
    check_sheet(
        &driver,
        dir.path(),
        "configs/randomized.yaml",
        &variant,
        &["--variant", "2"],
        "randomized-v02-student.html",
    );
    let roster = dir.path().join("class.csv");
    std::fs::write(&roster, "name\nZo\u{eb} O\u{2019}Brien\nJos\u{e9} N\u{fa}\u{f1}ez\n").unwrap();
    let class = ["--seed", "7", "--roster", s(&roster)];
    let zoe = ["--student", "Zoe O'Brien"];
    check_sheet(
        &driver,
        dir.path(),
        "configs/randomized.yaml",
        &class,
        &zoe,
        "randomized-zo\u{eb}-o-brien-student.html",
    );
    let page = std::fs::read_to_string(dir.path().join("randomized-zo\u{eb}-o-brien-student.html")).unwrap();
    assert!(page.contains("for Zo\u{eb} O\u{2019}Brien"), "the roster page names its student");
}

/// The classic page worked as a student works it: a slip, a wrong h and the
/// y that follows, a written answer and its model answer; the screenshot in
/// the README; printing; starting over.
#[test]
#[ignore = "drives headless Chromium over WebDriver: needs `chromium` and `chromedriver` (.ci/run installs them and runs this with --ignored)"]
fn a_student_works_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["generate", "configs/classic.yaml", "--format", "html", "--out", s(dir.path()), "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().join("classic-student.html");
    let driver = Driver::start();
    driver.open(&path);
    driver.script("localStorage.clear();", json!([]));
    driver.open(&path);
    let key = cli_json(&["answers", "configs/classic.yaml", "--format", "json"]);
    let field = |id: &str| format!("[data-answer=\"{id}\"]");
    for (id, text) in [("x", "2"), ("w1", "1"), ("h1", "107"), ("y", "217"), ("target", "20"), ("error", "9")] {
        driver.type_into(&field(id), text);
    }
    // What a screen reader is told: a field in an equation by its label, the
    // drawings as images by their alt text (Chromium's accessibility tree).
    let accessible = |css: &str, what: &str| {
        let element = driver.element(css);
        driver.call("GET", &format!("/element/{element}/{what}"), None).as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(accessible("[data-answer=\"h1\"]", "computedlabel"), "h1", "a blank in an equation");
    assert_eq!(accessible("[data-answer=\"nudge_w2.plus.error\"]", "computedlabel"), "E, row w2 + 0.1");
    assert_eq!(accessible("figure", "computedrole"), "image", "the diagram is an image");
    assert!(accessible("figure", "computedlabel").starts_with("The network as a chain of 2 layers: x times 3"));
    driver.type_into("[data-answer=\"discussion\"]", "No: y is 17, below the target of 20.");
    driver.click("#check");
    let marks = states(&driver);
    let state = |id: &str| marks.iter().find(|(_, a, ..)| a == id).unwrap().clone();
    assert_eq!(state("h1").2, "wrong");
    assert_eq!(state("y").2, "follows", "y = 2 · 107 + 3 from the student's h");
    assert_eq!(state("error").2, "slip", "E = 9 forgets the ½");
    assert_eq!(state("discussion").2, "", "a written answer has no verdict");
    assert!(state("discussion").3.contains("model answer"), "{:?}", state("discussion"));
    let summary = driver.script("return document.getElementById('summary').textContent;", json!([]));
    assert!(summary.as_str().unwrap().contains("1 a common slip"), "{summary}");
    // The model answer, only now, and in clear only after the click.
    driver.click("button.reveal");
    let model = driver.script(
        "return document.getElementById(document.querySelector('[data-answer=\"discussion\"]').id + '-model').textContent;",
        json!([]),
    );
    let text = key["discussion"]["text"].as_str().or(key["discussion"].as_str()).unwrap_or_default().to_owned();
    assert!(!text.is_empty() && model.as_str().unwrap().contains(&text[..20]), "{model} / {text}");
    // The part of the page the marks are on: Task 1 to its discussion question.
    driver.script(
        "var task = Array.prototype.find.call(document.querySelectorAll('h3'), function (h) { \
           return h.textContent.indexOf('Task 1') === 0; }); \
         window.scrollTo(0, task.getBoundingClientRect().top + window.scrollY - 240);",
        json!([]),
    );
    let png = driver.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    if std::env::var_os("BACKPROP_SCREENSHOT").is_some() {
        std::fs::write(root().join("examples/classic-student-page.png"), &png).unwrap();
    }

    // Printed, the page is the sheet: no buttons, marks or instructions.
    let pdf = base64(driver.call("POST", "/print", Some(json!({"background": false}))).as_str().unwrap());
    let printed = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    assert!(printed.contains("Phase 1"), "the worksheet is printed");
    for hidden in ["Check my answers", "Start over", "Self-check page", "not right", "Show the model answer"] {
        assert!(!printed.contains(hidden), "printing shows {hidden:?}");
    }

    // Starting over asks first, then clears the page and the kept progress.
    driver.script("window.confirm = function () { return false; };", json!([]));
    driver.click("#start-over");
    assert_eq!(
        states(&driver).iter().find(|(_, a, ..)| a == "h1").unwrap().2,
        "wrong",
        "a cancelled start over keeps all"
    );
    driver.script("window.confirm = function () { return true; };", json!([]));
    driver.click("#start-over");
    let cleared = driver.script(
        "return Array.prototype.every.call(document.querySelectorAll('[data-answer]'), function (f) { \
           return f.value === '' && !f.dataset.state && document.getElementById(f.id + '-mark').textContent === ''; });",
        json!([]),
    );
    assert_eq!(cleared, json!(true), "start over clears every field and mark");
    driver.open(&path);
    let kept = driver.script("return document.querySelector('[data-answer=\"h1\"]').value;", json!([]));
    assert_eq!(kept, json!(""), "nothing kept after starting over");
}

/// Answers the sheet prints rounded (≈, more than ten digits) may be typed
/// rounded or exactly; numbers may be typed in scientific form; the page
/// reads a number the way `page::canonical_decimal` does.
#[test]
#[ignore = "drives headless Chromium over WebDriver: needs `chromium` and `chromedriver` (.ci/run installs them and runs this with --ignored)"]
fn long_and_scientific_numbers_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    check_numbers(&Driver::start(), dir.path());
}

/// See [`long_and_scientific_numbers_in_a_browser`].
fn check_numbers(driver: &dyn Browser, dir: &Path) {
    let config = dir.join("decimals.yaml");
    std::fs::write(
        &config,
        "title: Decimals\nnetwork:\n  input: 1.5\n  target: 100\n  layers:\n    - { coefficient: 1.25, weight: 0.5 }\n    \
         - { coefficient: -0.75, weight: 1.5 }\n    - { coefficient: 2.5, weight: -2 }\nnudge: 0.01\nlearning_rate: 0.001\n",
    )
    .unwrap();
    let out = run(&["generate", s(&config), "--format", "html", "--out", s(dir), "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = cli_json(&["answers", s(&config), "--format", "json"]);
    let path = dir.join("decimals-student.html");
    driver.open(&path);
    driver.script("localStorage.clear();", json!([]));
    driver.open(&path);
    driver.script(FILL, json!([key]));
    let exact = |id: &str| backprop_worksheet::number::Exact::parse(key[id].as_str().unwrap()).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    let mut long: Vec<String> = page_fields(&html)
        .into_iter()
        .filter(|id| key[id.as_str()].as_str().and_then(backprop_worksheet::number::Exact::parse).is_some())
        .filter(|id| exact(id).is_too_long())
        .collect();
    long.dedup();
    assert!(long.len() >= 2, "the sheet has long answers: {long:?}");
    for id in &long {
        let rounded = exact(id).round_significant(10).to_plain_string();
        driver.type_into(&format!("[data-answer=\"{id}\"]"), &rounded);
    }
    driver.click("#check");
    let all = states(driver);
    for id in &long {
        let (_, _, state, mark) = all.iter().find(|(_, a, ..)| a == id).unwrap();
        assert_eq!(state, "correct", "{id} typed as the key prints it, rounded ({mark})");
    }
    // One digit short of the rounding is not right.
    let id = long[0].as_str();
    let short = exact(id).round_significant(6).to_plain_string();
    driver.type_into(&format!("[data-answer=\"{id}\"]"), &short);
    driver.click("#check");
    let state = states(driver).into_iter().find(|(_, a, ..)| a == id).unwrap().2;
    assert_eq!(state, "wrong", "{id} = {short} is too coarse");

    // The script reads numbers as the Rust side does.
    let inputs = [
        "4.50",
        "+3",
        "\u{2212}0.295",
        "-0",
        ".5",
        "007",
        "1.5e3",
        "-2.5E-2",
        "3*10^4",
        "0,25",
        "\u{2212} 12",
        "4.8 \u{00D7} 10\u{207B}\u{00B9}\u{2074}\u{2074}",
        "4.999995 \u{00D7} 10\u{2076}",
        "2\u{00D7}100",
        "1,000,000",
        "abc",
        "1e",
    ];
    let read = driver
        .script("return arguments[0].map(function (t) { return window.selfCheck.canonical(t); });", json!([inputs]));
    let expected: Vec<Option<String>> = inputs.iter().map(|t| page::canonical_decimal(t)).collect();
    assert_eq!(read, json!(expected));
}

/// The same sheets in Firefox: the key's answers, a wrong h and the y that
/// follows, a slip, kept progress, long and scientific numbers.
#[test]
#[ignore = "drives headless Firefox over WebDriver BiDi: needs `firefox-esr` (.ci/run installs it and runs this with --ignored)"]
fn the_page_in_firefox() {
    let dir = tempfile::tempdir().unwrap();
    let firefox = Firefox::start();
    firefox.open(&root().join("README.md"));
    let agent = firefox.script("return navigator.userAgent;", json!([]));
    assert!(agent.as_str().is_some_and(|a| a.contains("Firefox")), "{agent}");
    check_sheet(&firefox, dir.path(), "configs/classic.yaml", &[], &[], "classic-student.html");
    let variant = ["--variants", "3", "--seed", "7"];
    check_sheet(
        &firefox,
        dir.path(),
        "configs/randomized.yaml",
        &variant,
        &["--variant", "2"],
        "randomized-v02-student.html",
    );
    check_numbers(&firefox, dir.path());
}
