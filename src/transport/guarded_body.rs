//! Keeps a guard alive until a response body has been sent (or the client went away): MCP
//! answers over HTTP stream after the handler returns, so "in flight" lasts that long.

use axum::body::Body;
use axum::response::Response;
use futures::StreamExt;

pub fn hold_until_sent<G: Send + Sync + 'static>(response: Response, guard: G) -> Response {
    let (parts, body) = response.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        let _held = &guard;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
