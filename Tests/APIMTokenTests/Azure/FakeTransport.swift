import Foundation

@testable import APIMToken

// MARK: - FakeTransport

/// A closure-backed transport that records every request it receives.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    typealias Handler = @Sendable (HTTPRequest, Int) throws -> HTTPResponse

    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []
    private let handler: Handler

    /// `handler` gets each request and its 0-based index.
    init(_ handler: @escaping Handler) { self.handler = handler }

    /// Answers each request with the next scripted result; the last one repeats.
    convenience init(script: [Result<HTTPResponse, TransportError>]) {
        self.init { _, index in
            try script[min(index, script.count - 1)].get()
        }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = lock.withLock { () -> Int in
            recorded.append(request)
            return recorded.count - 1
        }
        return try handler(request, index)
    }

    /// Every request so far.
    var requests: [HTTPRequest] { lock.withLock { recorded } }
}

// MARK: - Helpers

extension HTTPResponse {
    /// A JSON response.
    static func json(_ status: Int, _ object: Any, headers: HTTPHeaders = [:]) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}

extension HTTPRequest {
    /// The form fields of an `application/x-www-form-urlencoded` body.
    var formFields: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in FormEncoding.decode(String(decoding: body ?? Data(), as: UTF8.self)) { result[name] = value }
        return result
    }

    /// The query items of the URL.
    var queryItems: [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    /// The JSON body as a dictionary.
    var jsonBody: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body ?? Data())) as? [String: Any] ?? [:]
    }
}

/// Paths of the committed Azure fixtures.
enum AzureFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/Azure")
    static var certAndKeyPath: String { directory.appendingPathComponent("test-sp-cert-and-key.pem").path }
    static var certOnlyPath: String { directory.appendingPathComponent("test-sp-cert-only.pem").path }
    /// `sha1` and `sha256` base64url thumbprints computed by openssl.
    static func thumbprints() throws -> [String: String] {
        let text = try String(contentsOfFile: directory.appendingPathComponent("test-sp-cert-thumbprints.txt").path, encoding: .utf8)
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-azure-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A credential that returns scripted results, counting calls.
final class ScriptedCredential: TokenCredential, @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var calls = 0
    private let next: @Sendable (Int) throws -> AccessToken

    init(name: String = "Scripted", _ next: @escaping @Sendable (Int) throws -> AccessToken) {
        self.name = name
        self.next = next
    }

    func getToken(scope: String) async throws -> AccessToken {
        let index = lock.withLock { () -> Int in
            calls += 1
            return calls - 1
        }
        return try next(index)
    }

    var callCount: Int { lock.withLock { calls } }
}
