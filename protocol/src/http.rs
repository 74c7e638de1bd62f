//! The HTTP request and response a procedure's `ctx.http` exchanges with the host
//! (`procedure_http_request`), as SpacetimeDB's `spacetimedb_lib::http` lays them out in BSATN.
//! The body travels separately, as plain bytes.

use crate::sats::TimeDuration;

crate::bsatn_struct! {
    /// An outbound request.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Request {
        pub method: Method,
        pub headers: Headers,
        /// The module's timeout for this request, if it set one.
        pub timeout: Option<TimeDuration>,
        pub uri: String,
        pub version: Version,
    }
}

crate::bsatn_enum! {
    /// An HTTP method.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum Method {
        Get = 0,
        Head = 1,
        Post = 2,
        Put = 3,
        Delete = 4,
        Connect = 5,
        Options = 6,
        Trace = 7,
        Patch = 8,
        Extension(String) = 9,
    }
}

impl Method {
    /// The method's name as it goes on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
            Self::Connect => "CONNECT",
            Self::Options => "OPTIONS",
            Self::Trace => "TRACE",
            Self::Patch => "PATCH",
            Self::Extension(m) => m,
        }
    }
}

crate::bsatn_enum! {
    /// An HTTP version.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Version {
        Http09 = 0,
        Http10 = 1,
        Http11 = 2,
        Http2 = 3,
        Http3 = 4,
    }
}

crate::bsatn_struct! {
    /// Headers, in order (a name may repeat).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Headers {
        pub entries: Vec<HeaderPair>,
    }
}

crate::bsatn_struct! {
    /// One header.
    #[derive(Debug, Clone, PartialEq)]
    pub struct HeaderPair {
        pub name: String,
        pub value: Vec<u8>,
    }
}

crate::bsatn_struct! {
    /// The response's status line and headers.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Response {
        pub headers: Headers,
        pub version: Version,
        pub code: u16,
    }
}
