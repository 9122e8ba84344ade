import Foundation

@testable import APIMToken

/// A closure-backed transport that records every request (for operation tests without a server).
final class ManifestsFakeTransport: HTTPTransport, @unchecked Sendable {
    /// Answers one request.
    typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    private let handler: Handler
    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []

    init(_ handler: @escaping Handler) { self.handler = handler }

    /// The requests so far, in order.
    var requests: [HTTPRequest] { lock.withLock { recorded } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { recorded.append(request) }
        return try handler(request)
    }

    /// A client of a fake server at `https://fake.test`.
    func client() -> KubernetesClient { KubernetesClient(server: URL(string: "https://fake.test")!, transport: self) }

    /// A JSON response.
    static func json(_ status: Int, _ object: Any) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"],
            body: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// A Kubernetes `Status` 404.
    static func notFound(_ resource: String, _ name: String = "") -> HTTPResponse {
        json(
            404,
            [
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                "message": "\(resource) \"\(name)\" not found",
            ])
    }
}

extension HTTPRequest {
    /// The URL path.
    var path: String { url.path }

    /// The query items as a dictionary.
    var query: [String: String] {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }

    /// The body as a JSON object.
    var jsonObject: [String: Any]? {
        body.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
}
