import Foundation
import NIOHTTP1

/// The identity a client certificate presented, as the Kubernetes API server reads it (CN = user, O = groups).
public struct CertificateIdentity: Sendable, Equatable {
    /// The subject common name.
    public var commonName: String
    /// The subject organizations.
    public var organizations: [String]
}

/// One HTTP request as the simulated servers see it.
public struct HTTPRequest: Sendable {
    /// The method, upper case.
    public var method: String
    /// The path, percent-decoded, without the query.
    public var path: String
    /// The raw query string (without `?`), or empty.
    public var rawQuery: String
    /// Query parameters, percent-decoded (repeated names keep every value).
    public var query: [String: [String]]
    /// The request headers.
    public var headers: HTTPHeaders
    /// The request body.
    public var body: [UInt8]
    /// The verified client certificate's identity, if one was presented.
    public var clientCertificate: CertificateIdentity?

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? { query[name]?.first }

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? { headers.first(name: name) }

    /// The media type of the body, without parameters, lower-cased.
    public var contentType: String {
        (header("Content-Type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// Splits a URI into its path and query parts.
    static func split(uri: String) -> (path: String, rawQuery: String, query: [String: [String]]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        let raw = parts.count > 1 ? String(parts[1]) : ""
        return (path, raw, parseForm(raw))
    }

    /// Parses `a=b&c=d` (application/x-www-form-urlencoded).
    static func parseForm(_ text: String) -> [String: [String]] {
        var query: [String: [String]] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            query[decode(kv[0]), default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
        return query
    }
}

// MARK: - HTTPResponse

/// One HTTP response from a simulated server.
public struct HTTPResponse: Sendable {
    /// How the body is delivered.
    public enum Body: Sendable {
        /// A complete body.
        case bytes([UInt8])
        /// A streamed body (chunked), for watches.
        case stream(AsyncStream<[UInt8]>)
    }

    /// The status code.
    public var status: Int
    /// Response headers.
    public var headers: [(String, String)]
    /// The body.
    public var body: Body
    /// Who made the request, for the request log (never a secret).
    public var principal: String?

    /// A complete response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], principal: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
        self.principal = principal
    }

    /// A JSON response.
    public static func json(_ status: Int, _ value: JSON, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: value.encoded())
    }
}
