import FoundationEssentials

// MARK: - HTTPMethod

/// An HTTP request method.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2).
    /// Only idempotent requests are retried after a transport error whose outcome is unknown.
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete: return true
        case .post, .patch: return false
        }
    }
}

// MARK: - HTTPHeaders

/// An ordered list of header fields with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were added or received.
    public private(set) var fields: [(name: String, value: String)]

    /// Creates headers from name/value pairs, keeping their order.
    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Creates headers from a dictionary literal.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of the named field, compared case-insensitively.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value }
        set {
            remove(name)
            if let newValue { fields.append((name: name, value: newValue)) }
        }
    }

    /// Appends a field, keeping any existing field of the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Removes every field with this name.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

// MARK: - HTTPRequest

/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute URL.
    public var url: URL
    /// Request header fields. `Authorization` values never reach any log.
    public var headers: HTTPHeaders
    /// The request body, if any.
    public var body: Data?
    /// The overall time limit for this one attempt; `nil` uses the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    public init(method: HTTPMethod, url: URL, headers: HTTPHeaders = [:], body: Data? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

// MARK: - HTTPResponse

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Response header fields of the final response (after any `100 Continue`).
    public var headers: HTTPHeaders
    /// The response body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

// MARK: - HTTPTransport

/// Sends one HTTP request and returns the response. Retries, authentication and the user agent
/// are middleware around a transport (`MiddlewareTransport`), never code inside it.
public protocol HTTPTransport: Sendable {
    /// Sends the request once. Throws `TransportError` when no HTTP response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

// MARK: - TransportError

/// A request that produced no HTTP response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this was, for retry decisions and remedies.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made (DNS, refused, unreachable).
        case connect
        /// The time limit ran out.
        case timeout
        /// The server's certificate was not trusted (wrong CA, name mismatch).
        case serverCertificate
        /// The client certificate was refused, missing, or did not match its key.
        case clientCertificate
        /// TLS material (CA, certificate or key) could not be loaded.
        case tlsMaterial
        /// The connection broke after the request may have reached the server.
        case connectionLost
        /// A local misconfiguration (bad URL, bad proxy, unsupported option).
        case configuration
        /// Anything else libcurl reported.
        case other
    }

    /// The failure kind.
    public var kind: Kind
    /// The host the request went to.
    public var host: String
    /// A human-readable explanation, with no secret in it.
    public var message: String
    /// The libcurl result code, when there is one.
    public var curlCode: Int?

    /// Creates a transport error.
    public init(kind: Kind, host: String, message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.host = host
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { "request to \(host) failed: \(message)" }
}
