//! The client of the Woosmap Data Management API (`/stores`): add, update, delete, replace,
//! get one and list all, with the key kept out of every error and log, a rate limiter shared by
//! a profile's requests, bounded retries, and timeouts so no call can hang.

mod error;
mod limiter;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use url::Url;

pub use error::{ApiError, redact, server_message};
pub use limiter::{RateLimiter, backoff};

use crate::model::read::{FeatureCollection, ReadFeature};
use crate::model::{MAX_REQUEST_BYTES, RemoteMeta, Store, write_body};

/// Woosmap's API.
pub const DEFAULT_BASE_URL: &str = "https://api.woosmap.com";

/// The value `delete_all` needs, typed by the user, before it wipes a project.
pub const DELETE_ALL_CONFIRMATION: &str = "delete all stores";

/// Whether a key can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A private key: reads and writes (`private_key=`).
    Private,
    /// A public key: reads only (`key=`).
    Public,
}

/// An API key. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub kind: KeyKind,
    secret: String,
}

impl ApiKey {
    pub fn new(kind: KeyKind, secret: impl Into<String>) -> ApiKey {
        ApiKey {
            kind,
            secret: secret.into(),
        }
    }

    /// The secret itself, for the keyring and the request only.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({:?}, ***)", self.kind)
    }
}

/// How a client talks to one project.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub key: ApiKey,
    /// Requests a second for the whole profile (the API allows 10).
    pub qps: u32,
    pub connect_timeout: Duration,
    /// For a whole request and its answer. The API stops a request at 30 s.
    pub timeout: Duration,
    /// Tries after the first, for answers that may be retried.
    pub max_retries: u32,
    pub backoff_base: Duration,
    pub max_backoff: Duration,
    /// Pages of a listing fetched at once.
    pub list_concurrency: usize,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, key: ApiKey) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            key,
            qps: 10,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(40),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            list_concurrency: 16,
        }
    }
}

/// What the API said of a write.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteOutcome {
    /// The server's `value`: `"2 stores"`, or `"2 stores deleted, 2 stores created"`.
    pub message: String,
}

/// A client for one project. Cloning shares the connection pool and the rate limiter.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    config: Arc<ClientConfig>,
    limiter: Arc<RateLimiter>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("key", &self.config.key)
            .finish()
    }
}

enum Body {
    None,
    /// Shared, so a retry sends it again without a copy.
    Json(Bytes),
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let limiter = Arc::new(RateLimiter::new(config.qps));
        Client::with_limiter(config, limiter)
    }

    /// A client sharing a rate limiter with others of the same profile.
    pub fn with_limiter(
        config: ClientConfig,
        limiter: Arc<RateLimiter>,
    ) -> Result<Client, ApiError> {
        let base = check_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("storedesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network {
                detail: redact(&e.without_url().to_string(), config.key.expose_secret()),
            })?;
        Ok(Client {
            http,
            base,
            config: Arc::new(config),
            limiter,
        })
    }

    pub fn limiter(&self) -> Arc<RateLimiter> {
        self.limiter.clone()
    }

    pub fn can_write(&self) -> bool {
        self.config.key.kind == KeyKind::Private
    }

    /// `POST /stores`: creates the stores; the API refuses the whole batch if one id exists.
    pub async fn add(&self, stores: &[Store]) -> Result<WriteOutcome, ApiError> {
        self.write(Method::POST, "stores", stores).await
    }

    /// `PUT /stores`: replaces each store as sent; refused if one id does not exist.
    pub async fn update(&self, stores: &[Store]) -> Result<WriteOutcome, ApiError> {
        self.write(Method::PUT, "stores", stores).await
    }

    /// `POST /stores` with a body already written, `{"stores":[...]}`, sent as it is (a push
    /// builds it from the stores' JSON as the workspace holds it).
    pub async fn add_body(&self, body: Bytes) -> Result<WriteOutcome, ApiError> {
        self.write_raw(Method::POST, "stores", body).await
    }

    /// `PUT /stores` with a body already written, sent as it is.
    pub async fn update_body(&self, body: Bytes) -> Result<WriteOutcome, ApiError> {
        self.write_raw(Method::PUT, "stores", body).await
    }

    /// `POST /stores/replace`: the project becomes exactly these stores, or nothing changes.
    pub async fn replace(&self, stores: &[Store]) -> Result<WriteOutcome, ApiError> {
        self.write(Method::POST, "stores/replace", stores).await
    }

    /// `DELETE /stores?query=idstore:...`: deletes these stores and says how many were. An
    /// empty list sends nothing.
    pub async fn delete(&self, ids: &[String]) -> Result<u64, ApiError> {
        self.require_write()?;
        let Some(query) = delete_query(ids)? else {
            return Ok(0);
        };
        let body = self
            .send(
                Method::DELETE,
                "stores",
                &[("query", &query)],
                Body::None,
                true,
            )
            .await?;
        Ok(deleted_count(&body))
    }

    /// `DELETE /stores` without a query: deletes every store of the project. Needs
    /// [`DELETE_ALL_CONFIRMATION`] as `confirmation`.
    pub async fn delete_all(&self, confirmation: &str) -> Result<u64, ApiError> {
        self.require_write()?;
        if confirmation != DELETE_ALL_CONFIRMATION {
            return Err(ApiError::NotConfirmed {
                expected: DELETE_ALL_CONFIRMATION,
            });
        }
        let body = self
            .send(Method::DELETE, "stores", &[], Body::None, true)
            .await?;
        Ok(deleted_count(&body))
    }

    /// `GET /stores/{id}`; `None` when the store does not exist.
    pub async fn get(&self, id: &str) -> Result<Option<(Store, RemoteMeta)>, ApiError> {
        let path = format!("stores/{}", url_escape(id));
        match self.send(Method::GET, &path, &[], Body::None, false).await {
            Ok(body) => {
                let feature: ReadFeature = decode(&body)?;
                Ok(Some(feature.into_store()))
            }
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /stores?page=N`.
    pub async fn list_page(&self, page: u32) -> Result<FeatureCollection, ApiError> {
        let page_text = page.to_string();
        let body = self
            .send(
                Method::GET,
                "stores",
                &[("page", &page_text)],
                Body::None,
                false,
            )
            .await?;
        decode(&body)
    }

    /// Every store of the project: page 1, then the other pages concurrently within the rate
    /// limit. `progress(pages_done, page_count)` is called as pages arrive.
    pub async fn list_all(
        &self,
        progress: impl Fn(u32, u32) + Send + Sync,
    ) -> Result<Vec<(Store, RemoteMeta)>, ApiError> {
        let first = self.list_page(1).await?;
        let page_count = first.pagination.map_or(1, |p| p.page_count.max(1));
        progress(1, page_count);
        let mut pages: Vec<Option<FeatureCollection>> = vec![None; page_count as usize];
        pages[0] = Some(first);
        let mut set = tokio::task::JoinSet::new();
        let mut next = 2;
        let mut done = 1;
        let concurrency = self.config.list_concurrency.max(1);
        while next <= page_count || !set.is_empty() {
            while next <= page_count && set.len() < concurrency {
                let client = self.clone();
                let page = next;
                set.spawn(async move { (page, client.list_page(page).await) });
                next += 1;
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            let (page, result) = joined.map_err(|e| ApiError::InvalidResponse {
                detail: format!("a page download stopped: {e}"),
            })?;
            let collection = match result {
                Ok(c) => c,
                Err(e) => {
                    set.abort_all();
                    return Err(e);
                }
            };
            if let Some(slot) = pages.get_mut(page as usize - 1) {
                *slot = Some(collection);
            }
            done += 1;
            progress(done, page_count);
        }
        Ok(pages
            .into_iter()
            .flatten()
            .flat_map(|p| p.features)
            .map(ReadFeature::into_store)
            .collect())
    }

    fn require_write(&self) -> Result<(), ApiError> {
        if self.can_write() {
            Ok(())
        } else {
            Err(ApiError::ReadOnly)
        }
    }

    async fn write(
        &self,
        method: Method,
        path: &str,
        stores: &[Store],
    ) -> Result<WriteOutcome, ApiError> {
        self.require_write()?;
        self.write_raw(method, path, Bytes::from(write_body(stores)))
            .await
    }

    async fn write_raw(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
    ) -> Result<WriteOutcome, ApiError> {
        self.require_write()?;
        if body.len() > MAX_REQUEST_BYTES {
            return Err(ApiError::TooLarge { bytes: body.len() });
        }
        let answer = self.send(method, path, &[], Body::Json(body), true).await?;
        Ok(WriteOutcome {
            message: server_message(&answer),
        })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        {
            let mut segments = url.path().trim_end_matches('/').to_owned();
            segments.push('/');
            segments.push_str(path);
            url.set_path(&segments);
        }
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
            let auth = match self.config.key.kind {
                KeyKind::Private => "private_key",
                KeyKind::Public => "key",
            };
            pairs.append_pair(auth, self.config.key.expose_secret());
        }
        url
    }

    fn clean(&self, text: &str) -> String {
        redact(text, self.config.key.expose_secret())
    }

    /// Sends one request, retrying what may be retried; the body of a 2xx answer.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body,
        is_write: bool,
    ) -> Result<Vec<u8>, ApiError> {
        let cfg = &self.config;
        let mut attempt: u32 = 0;
        loop {
            self.limiter.acquire().await;
            let mut request = self.http.request(method.clone(), self.url(path, query));
            if let Body::Json(bytes) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let failure = match request.send().await {
                Err(e) => self.transport_error(e, is_write),
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match response.bytes().await {
                        Err(e) => self.transport_error(e, is_write),
                        Ok(bytes) if status.is_success() => return Ok(bytes.to_vec()),
                        Ok(_) if status == StatusCode::TOO_MANY_REQUESTS => {
                            // Without a word from the server, the first retry waits about
                            // one slot of the rate (a start that came a little early), each
                            // further one twice as long.
                            let base = match self.limiter.interval() {
                                d if d.is_zero() => cfg.backoff_base,
                                d => d.min(cfg.backoff_base),
                            };
                            let wait = retry_after
                                .unwrap_or_else(|| backoff(attempt, base, cfg.max_backoff));
                            self.limiter.pause(wait);
                            if attempt >= cfg.max_retries {
                                return Err(ApiError::RateLimited {
                                    attempts: attempt + 1,
                                });
                            }
                            attempt += 1;
                            continue;
                        }
                        Ok(bytes) => self.status_error(status, &bytes, path),
                    }
                }
            };
            let retry =
                failure.is_retryable() || matches!(failure, ApiError::Server { .. }) && !is_write;
            if !retry || attempt >= cfg.max_retries {
                return Err(failure);
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt, cfg.backoff_base, cfg.max_backoff)).await;
        }
    }

    fn status_error(&self, status: StatusCode, body: &[u8], path: &str) -> ApiError {
        let message = self.clean(&server_message(body));
        match status.as_u16() {
            400 => ApiError::BatchRejected { message },
            401 => ApiError::Unauthorized { detail: message },
            403 => ApiError::Forbidden { detail: message },
            404 => ApiError::NotFound {
                what: format!("/{}", self.clean(path)),
            },
            413 => ApiError::TooLarge { bytes: 0 },
            s if s >= 500 => ApiError::Server { status: s, message },
            s => ApiError::InvalidResponse {
                detail: format!("status {s}: {message}"),
            },
        }
    }

    fn transport_error(&self, e: reqwest::Error, is_write: bool) -> ApiError {
        let connect = e.is_connect();
        let timeout = e.is_timeout();
        let detail = self.clean(&error_chain(&e.without_url()));
        if connect {
            ApiError::Network { detail }
        } else if is_write {
            ApiError::OutcomeUnknown { detail }
        } else if timeout {
            ApiError::Timeout(self.config.timeout)
        } else {
            ApiError::Network { detail }
        }
    }
}

/// The error and its causes, one sentence.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// The `query` of a delete: `idstore:=ID` for one, `idstore:[A,B]` for several; `None` for an
/// empty list, so that no code path can send a delete without a query.
pub fn delete_query(ids: &[String]) -> Result<Option<String>, ApiError> {
    for id in ids {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ApiError::InvalidId { id: id.clone() });
        }
    }
    Ok(match ids {
        [] => None,
        [one] => Some(format!("idstore:={one}")),
        many => Some(format!("idstore:[{}]", many.join(","))),
    })
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::InvalidResponse {
        detail: e.to_string(),
    })
}

fn deleted_count(body: &[u8]) -> u64 {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("value").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

fn url_escape(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// Accepts `https://` anywhere and `http://` only on this computer.
pub fn check_base_url(base: &str) -> Result<Url, ApiError> {
    let url = Url::parse(base.trim()).map_err(|_| ApiError::BadUrl {
        url: base.to_owned(),
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if loopback {
                Ok(url)
            } else {
                Err(ApiError::InsecureUrl {
                    url: format!("http://{}", url.host_str().unwrap_or_default()),
                })
            }
        }
        _ => Err(ApiError::BadUrl {
            url: base.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_queries_never_come_out_empty() {
        assert_eq!(delete_query(&[]), Ok(None));
        assert_eq!(delete_query(&["A1".into()]), Ok(Some("idstore:=A1".into())));
        assert_eq!(
            delete_query(&["A1".into(), "b_2".into()]),
            Ok(Some("idstore:[A1,b_2]".into()))
        );
        assert!(matches!(
            delete_query(&["a,b".into()]),
            Err(ApiError::InvalidId { .. })
        ));
        assert!(matches!(
            delete_query(&["".into()]),
            Err(ApiError::InvalidId { .. })
        ));
    }

    #[test]
    fn plain_http_only_on_this_computer() {
        assert!(check_base_url("https://api.woosmap.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8787").is_ok());
        assert!(check_base_url("http://localhost:8787").is_ok());
        assert!(check_base_url("http://[::1]:8787").is_ok());
        assert!(matches!(
            check_base_url("http://api.woosmap.com"),
            Err(ApiError::InsecureUrl { .. })
        ));
        assert!(matches!(
            check_base_url("http://10.0.0.1"),
            Err(ApiError::InsecureUrl { .. })
        ));
        assert!(matches!(
            check_base_url("ftp://x"),
            Err(ApiError::BadUrl { .. })
        ));
        assert!(matches!(
            check_base_url("not a url"),
            Err(ApiError::BadUrl { .. })
        ));
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let key = ApiKey::new(KeyKind::Private, "TOPSECRET");
        assert!(!format!("{key:?}").contains("TOPSECRET"));
        let client =
            Client::new(ClientConfig::new("https://api.woosmap.com", key)).expect("client");
        assert!(!format!("{client:?}").contains("TOPSECRET"));
    }
}
