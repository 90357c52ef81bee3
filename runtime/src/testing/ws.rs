//! A WebSocket client for tests: [`TestServer::websocket`](super::TestServer::websocket).

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WireCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a read waits before it fails with [`WsError::Timeout`].
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What a [`WsClient`] call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The server answered the handshake with this status instead of upgrading.
    #[error("handshake refused with HTTP {0}")]
    Refused(StatusCode),
    /// Nothing arrived within [`READ_TIMEOUT`].
    #[error("no message within {READ_TIMEOUT:?}")]
    Timeout,
    /// The server closed the connection (with this close code, if it sent one).
    #[error("connection closed (code {0:?})")]
    Closed(Option<u16>),
    /// A binary message arrived where a text was expected.
    #[error("expected a text message, got {0:?}")]
    Unexpected(Message),
    /// The connection or the protocol failed.
    #[error(transparent)]
    Protocol(#[from] tungstenite::Error),
}

/// One WebSocket client connection to a [`TestServer`](super::TestServer).
///
/// Like browsers, it answers pings automatically, but only while it is reading: a client
/// that is not read from models a peer that stopped reading.
#[derive(Debug)]
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Connects to `url` (`ws://...`) with extra handshake `headers`.
    pub(crate) async fn connect(url: &str, headers: HeaderMap) -> Result<WsClient, WsError> {
        let mut request = url.into_client_request()?;
        request.headers_mut().extend(headers);
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _response)) => Ok(WsClient { stream }),
            Err(tungstenite::Error::Http(response)) => Err(WsError::Refused(response.status())),
            Err(error) => Err(error.into()),
        }
    }

    /// Sends a text message.
    pub async fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        Ok(self.stream.send(Message::text(text)).await?)
    }

    /// Sends a binary message.
    pub async fn send_binary(&mut self, data: impl Into<axum::body::Bytes>) -> Result<(), WsError> {
        Ok(self.stream.send(Message::binary(data)).await?)
    }

    /// Sends any message or frame (pings, close frames, ...).
    pub async fn send(&mut self, message: Message) -> Result<(), WsError> {
        Ok(self.stream.send(message).await?)
    }

    /// The next message of any kind (pings, pongs and close frames included); a close
    /// frame is answered at once.
    pub async fn next_message(&mut self) -> Result<Message, WsError> {
        match tokio::time::timeout(READ_TIMEOUT, self.stream.next()).await {
            Err(_) => Err(WsError::Timeout),
            Ok(None) => Err(WsError::Closed(None)),
            Ok(Some(message)) => {
                let message = message?;
                if message.is_close() {
                    // Sends the close reply tungstenite queued, so the server need not wait.
                    let _ = self.stream.flush().await;
                }
                Ok(message)
            }
        }
    }

    /// The next text message; pings (answered) and pongs are skipped.
    pub async fn next_text(&mut self) -> Result<String, WsError> {
        loop {
            match self.next_message().await? {
                Message::Text(text) => return Ok(text.as_str().to_owned()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                Message::Close(frame) => {
                    return Err(WsError::Closed(frame.map(|f| u16::from(f.code))))
                }
                other @ Message::Binary(_) => return Err(WsError::Unexpected(other)),
            }
        }
    }

    /// Reads texts until one equals `expected`.
    pub async fn skip_until(&mut self, expected: &str) -> Result<(), WsError> {
        self.texts_until(expected).await.map(drop)
    }

    /// The texts received before the first one equal to `expected` (which is consumed but
    /// not returned).
    pub async fn texts_until(&mut self, expected: &str) -> Result<Vec<String>, WsError> {
        let mut texts = Vec::new();
        loop {
            let text = self.next_text().await?;
            if text == expected {
                return Ok(texts);
            }
            texts.push(text);
        }
    }

    /// Reads until the server's close frame and returns its code (skipping anything else).
    pub async fn close_code(&mut self) -> Result<Option<u16>, WsError> {
        loop {
            match self.next_message().await {
                Ok(Message::Close(frame)) => return Ok(frame.map(|f| u16::from(f.code))),
                Ok(_) => {}
                Err(WsError::Closed(code)) => return Ok(code),
                Err(error) => return Err(error),
            }
        }
    }

    /// Closes with 1000 (normal) and waits for the server's reply.
    pub async fn close(mut self) -> Result<(), WsError> {
        let frame = CloseFrame {
            code: WireCode::Normal,
            reason: "".into(),
        };
        self.stream.close(Some(frame)).await?;
        while let Ok(Some(message)) = tokio::time::timeout(READ_TIMEOUT, self.stream.next()).await {
            if message.is_err() {
                break;
            }
        }
        Ok(())
    }
}
