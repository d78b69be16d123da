//! One HTTP request to the emulator: routing, keys, the rate limit, faults, the operation on
//! the project, the added delays and the request log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use url::form_urlencoded;

use super::state::{self, State};
use super::{RequestLog, Shared};
use crate::model::MAX_REQUEST_BYTES;

/// How much of an oversized body is read and thrown away before the connection is closed
/// instead, so that a client still sending gets to read the 413.
const DRAIN_LIMIT: usize = 4 * MAX_REQUEST_BYTES;

/// Returned instead of a response to make hyper drop the connection unanswered.
#[derive(Debug, thiserror::Error)]
#[error("the emulator dropped this response on purpose (lost response fault)")]
pub(crate) struct LostResponse;

/// A request body as read.
enum Body {
    Read(Bytes),
    TooLarge { drained: bool },
    Broken,
}

/// The routes of the API.
#[derive(Debug, PartialEq)]
enum Route {
    List,
    Create,
    Update,
    Delete,
    Replace,
    Get(String),
}

impl Route {
    fn writes(&self) -> bool {
        matches!(
            self,
            Route::Create | Route::Update | Route::Delete | Route::Replace
        )
    }
}

/// What to answer, decided under the lock.
struct Answer {
    status: StatusCode,
    body: Value,
    wrote: bool,
    slow: Option<Duration>,
    lost: bool,
    close: bool,
}

impl Answer {
    fn new(status: StatusCode, body: Value) -> Answer {
        Answer {
            status,
            body,
            wrote: false,
            slow: None,
            lost: false,
            close: false,
        }
    }

    fn detail(status: StatusCode, detail: &str) -> Answer {
        Answer::new(status, json!({ "detail": detail }))
    }

    fn error(value: impl Into<String>) -> Answer {
        Answer::new(
            StatusCode::BAD_REQUEST,
            json!({"status": "error", "value": value.into()}),
        )
    }

    fn success(value: Value) -> Answer {
        let mut answer = Answer::new(StatusCode::OK, json!({"status": "success", "value": value}));
        answer.wrote = true;
        answer
    }
}

/// Serves one request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, LostResponse> {
    let arrived = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let logged_path = redact(&path, query.as_deref(), &shared);
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = read_body(request.into_body(), declared).await;

    let answer = decide(&shared, &method, &path, query.as_deref(), body, arrived);
    if answer.wrote {
        shared.save();
    }
    let delay = shared.settings.latency + answer.slow.unwrap_or_default();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let status = if answer.lost {
        0
    } else {
        answer.status.as_u16()
    };
    shared.log(RequestLog {
        method: method.as_str().to_owned(),
        path: logged_path,
        status,
    });
    if answer.lost {
        return Err(LostResponse);
    }
    let mut response = Response::new(Full::new(Bytes::from(
        serde_json::to_vec(&answer.body).unwrap_or_default(),
    )));
    *response.status_mut() = answer.status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if answer.close {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(response)
}

/// Reads the body up to the API's limit; past it, reads on and throws away up to
/// [`DRAIN_LIMIT`].
async fn read_body(mut body: Incoming, declared: Option<u64>) -> Body {
    if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
        return Body::TooLarge { drained: false };
    }
    // Room for the whole body at once when its length is declared.
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| {
        usize::try_from(n).unwrap_or(0).min(MAX_REQUEST_BYTES)
    }));
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Body::Broken;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total > DRAIN_LIMIT {
            return Body::TooLarge { drained: false };
        }
        if total <= MAX_REQUEST_BYTES {
            buf.extend_from_slice(&data);
        }
    }
    if total > MAX_REQUEST_BYTES {
        Body::TooLarge { drained: true }
    } else {
        Body::Read(buf.freeze())
    }
}

fn route(method: &Method, path: &str) -> Result<Route, Answer> {
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let not_allowed = || {
        Answer::detail(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("Method \"{method}\" not allowed."),
        )
    };
    match path {
        "/stores" => match *method {
            Method::GET => Ok(Route::List),
            Method::POST => Ok(Route::Create),
            Method::PUT => Ok(Route::Update),
            Method::DELETE => Ok(Route::Delete),
            _ => Err(not_allowed()),
        },
        "/stores/replace" => match *method {
            Method::POST => Ok(Route::Replace),
            _ => Err(not_allowed()),
        },
        _ => match path.strip_prefix("/stores/") {
            Some(id) if !id.contains('/') => match *method {
                Method::GET => Ok(Route::Get(percent_decode(id))),
                _ => Err(not_allowed()),
            },
            _ => Err(Answer::detail(StatusCode::NOT_FOUND, "Not found.")),
        },
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn first_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Checks the keys: `Err` is the 401 or 403 to answer.
fn authenticate(shared: &Shared, query: Option<&str>, write: bool) -> Result<(), Answer> {
    let settings = &shared.settings;
    let is = |value: &Option<String>, key: &str| !key.is_empty() && value.as_deref() == Some(key);
    let private = first_param(query, "private_key");
    let public = first_param(query, "key");
    let by_private = is(&private, &settings.private_key);
    let by_public = is(&private, &settings.public_key) || is(&public, &settings.public_key);
    if write {
        if by_private {
            return Ok(());
        }
        if by_public {
            return Err(Answer::detail(
                StatusCode::FORBIDDEN,
                "The public key cannot write; use the private key.",
            ));
        }
    } else if by_private || by_public || is(&public, &settings.private_key) {
        return Ok(());
    }
    Err(Answer::detail(
        StatusCode::UNAUTHORIZED,
        "Incorrect authentication credentials. Please check or use a valid API Key",
    ))
}

/// Everything that needs the state, under its lock. The rate limit counts the request as of
/// `arrived`.
fn decide(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Body,
    arrived: Instant,
) -> Answer {
    let route = match route(method, path) {
        Ok(route) => route,
        Err(answer) => return answer,
    };
    let body = match body {
        Body::Read(bytes) => bytes,
        Body::TooLarge { drained } => {
            let mut answer = Answer::detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is larger than 15 MB.",
            );
            answer.close = !drained;
            return answer;
        }
        Body::Broken => {
            let mut answer = Answer::error("The request body could not be read.");
            answer.close = true;
            return answer;
        }
    };
    let write = route.writes();
    if let Err(answer) = authenticate(shared, query, write) {
        return answer;
    }
    // Parsing happens before the lock is taken.
    let delete_ids = if route == Route::Delete {
        match first_param(query, "query") {
            None => None,
            Some(q) => match state::parse_delete_query(&q) {
                Some(ids) => Some(ids),
                None => {
                    return Answer::error(format!(
                        "The query \"{q}\" is not understood; use idstore:=ID or idstore:[ID1,ID2]."
                    ));
                }
            },
        }
    } else {
        None
    };
    let batch = if matches!(route, Route::Create | Route::Update | Route::Replace) {
        Some(state::read_batch(&body))
    } else {
        None
    };
    let page = if route == Route::List {
        match first_param(query, "page").map(|p| p.trim().parse::<usize>()) {
            None => 1,
            Some(Ok(n)) if n >= 1 => n,
            Some(_) => return Answer::detail(StatusCode::NOT_FOUND, "Invalid page."),
        }
    } else {
        1
    };

    let now = chrono::Utc::now();
    let stamp = state::timestamp(now);
    let mut guard = shared.lock();
    let state: &mut State = &mut guard;
    if !state.admit(shared.settings.qps, arrived) {
        return Answer::detail(
            StatusCode::TOO_MANY_REQUESTS,
            "The rate limit for this endpoint has been exceeded",
        );
    }
    let faults = state.faults.clone();
    let server_error = state.rng.f64() < faults.server_error_rate;
    let bad_gateway = state.rng.bool();
    let slow = state.rng.f64() < faults.slow_rate;
    let lost = write && state.rng.f64() < faults.lost_response_rate;
    if server_error {
        let status = if bad_gateway {
            StatusCode::BAD_GATEWAY
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return Answer::detail(status, "Service unavailable");
    }
    let batch = batch.map(|b| {
        b.and_then(
            |stores| match stores.iter().find(|s| faults.refused_ids.contains(&s.id)) {
                Some(s) => Err(format!(
                    "Store \"{}\" is not valid for this project and was refused.",
                    s.id
                )),
                None => Ok(stores),
            },
        )
    });
    let mut answer = match (route, batch) {
        (Route::List, _) => Answer::new(
            StatusCode::OK,
            state.page(page, shared.settings.page_size, now),
        ),
        (Route::Get(id), _) => match state.feature(&id, now) {
            Some(feature) => Answer::new(StatusCode::OK, feature),
            None => Answer::detail(StatusCode::NOT_FOUND, "Not found."),
        },
        (Route::Delete, _) => {
            let deleted = state.delete(delete_ids.as_deref());
            Answer::success(json!(deleted))
        }
        (_, Some(Err(message))) => Answer::error(message),
        (Route::Create, Some(Ok(stores))) => match state.create(stores, &stamp) {
            Ok(n) => Answer::success(json!(format!("{n} stores"))),
            Err(message) => Answer::error(message),
        },
        (Route::Update, Some(Ok(stores))) => match state.update(stores, &stamp) {
            Ok(n) => Answer::success(json!(format!("{n} stores"))),
            Err(message) => Answer::error(message),
        },
        (Route::Replace, Some(Ok(stores))) => {
            let (deleted, created) = state.replace(stores, &stamp);
            Answer::success(json!(format!(
                "{deleted} stores deleted, {created} stores created"
            )))
        }
        (Route::Create | Route::Update | Route::Replace, None) => {
            Answer::error("The request is invalid, the data is not a valid JSON.")
        }
    };
    if slow {
        answer.slow = Some(faults.slow_delay);
    }
    answer.lost = lost;
    answer
}

/// The request's path and query as logged: the values of `private_key` and `key` become `***`,
/// and so does any other appearance of either key.
pub(crate) fn redact(path: &str, query: Option<&str>, shared: &Shared) -> String {
    let mut out = path.to_owned();
    if let Some(query) = query {
        out.push('?');
        for (i, piece) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            let raw_name = piece.split('=').next().unwrap_or("");
            let name = form_urlencoded::parse(raw_name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if name == "private_key" || name == "key" {
                out.push_str(raw_name);
                out.push_str("=***");
            } else {
                out.push_str(piece);
            }
        }
    }
    for key in [&shared.settings.private_key, &shared.settings.public_key] {
        if key.is_empty() {
            continue;
        }
        out = out.replace(key.as_str(), "***");
        let encoded: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
        out = out.replace(&encoded, "***");
        out = out.replace(&encoded.replace('+', "%20"), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::EmulatorConfig;

    fn shared() -> Shared {
        Shared::new(
            &EmulatorConfig {
                private_key: "pr1v ate".into(),
                public_key: "pub".into(),
                ..EmulatorConfig::default()
            },
            indexmap::IndexMap::new(),
        )
    }

    #[test]
    fn keys_never_reach_the_log() {
        let shared = shared();
        assert_eq!(
            redact(
                "/stores",
                Some("private_key=pr1v+ate&page=2&key=wrong"),
                &shared
            ),
            "/stores?private_key=***&page=2&key=***"
        );
        assert_eq!(
            redact("/stores/pub", Some("x=pr1v%20ate"), &shared),
            "/stores/***?x=***"
        );
        assert_eq!(redact("/stores", None, &shared), "/stores");
    }

    #[test]
    fn keys_are_checked_by_role() {
        let shared = shared();
        let status = |query: &str, write: bool| {
            authenticate(&shared, Some(query), write)
                .err()
                .map(|a| a.status.as_u16())
        };
        assert_eq!(status("private_key=pr1v+ate", true), None);
        assert_eq!(status("private_key=pr1v+ate", false), None);
        assert_eq!(status("key=pub", false), None);
        assert_eq!(status("key=pub", true), Some(403));
        assert_eq!(status("private_key=pub", true), Some(403));
        assert_eq!(status("private_key=nope", false), Some(401));
        assert_eq!(status("key=", false), Some(401));
        assert_eq!(status("", true), Some(401));
    }

    #[test]
    fn routes() {
        assert_eq!(route(&Method::GET, "/stores/").ok(), Some(Route::List));
        assert_eq!(
            route(&Method::POST, "/stores/replace").ok(),
            Some(Route::Replace)
        );
        assert_eq!(
            route(&Method::GET, "/stores/a%5Fb").ok(),
            Some(Route::Get("a_b".into()))
        );
        let status = |m: &Method, p: &str| route(m, p).err().map(|a| a.status.as_u16());
        assert_eq!(status(&Method::PATCH, "/stores"), Some(405));
        assert_eq!(status(&Method::DELETE, "/stores/A"), Some(405));
        assert_eq!(status(&Method::GET, "/shops"), Some(404));
        assert_eq!(status(&Method::GET, "/stores/a/b"), Some(404));
    }
}
