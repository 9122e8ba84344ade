import FoundationEssentials

// MARK: - VerboseTrace

/// Where `-v/--verbose` lines about HTTP calls (Kubernetes and Azure) and subprocesses go, and how many `v`s were given.
///
/// Levels: 1 = one line per HTTP exchange (method, URL, status, time, request id); 2 = also each failed attempt
/// and subprocess runs; 3 = header names with safe values; 4 and more = body sizes and the top-level JSON field
/// names. No level shows a body value, an `Authorization` header, a secret-looking header or query value,
/// or a subprocess's output.
public struct VerboseTrace: Sendable {
    /// The number of `-v` flags.
    public let verbosity: Int
    /// Receives each finished line (the CLI writes it to stderr).
    public let sink: @Sendable (String) -> Void

    /// Creates a trace.
    public init(verbosity: Int, sink: @escaping @Sendable (String) -> Void) {
        self.verbosity = verbosity
        self.sink = sink
    }

    /// The highest level with its own detail.
    public static let maximumVerbosity = 4

    /// Emits `line` when the verbosity is at least `level`.
    func emit(_ level: Int, _ line: @autoclosure () -> String) {
        if verbosity >= level { sink(line()) }
    }

    // MARK: Redaction

    /// Header names whose values are never shown.
    static func isSensitive(name: String) -> Bool {
        let name = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie", "www-authenticate"].contains(name) { return true }
        return ["secret", "token", "key", "signature", "assertion", "password", "credential", "sig"].contains { name.contains($0) }
    }

    /// The URL with the value of every secret-looking query parameter replaced by `<redacted>`.
    static func safeURL(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<unprintable URL>" }
        components.user = nil
        components.password = nil
        let query = components.percentEncodedQuery
        components.percentEncodedQuery = nil
        components.fragment = nil
        var text = components.string ?? "<unprintable URL>"
        if let query {
            text +=
                "?"
                + query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                    let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                    return pair.contains("=") && isSensitive(name: name.percentDecoded ?? name) ? "\(name)=<redacted>" : String(pair)
                }.joined(separator: "&")
        }
        return text
    }

    /// Header lines with sensitive values redacted.
    static func safeHeaders(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name): \(isSensitive(name: $0.name) ? "<redacted>" : String($0.value.prefix(200)))" }
    }

    /// The body's size and, for a JSON object, its top-level field names (never values).
    static func bodyShape(_ body: Data?) -> String {
        guard let body, !body.isEmpty else { return "no body" }
        if let keys = JSONValue.parse(body)?.objectKeys {
            return "\(body.count) bytes, JSON fields: " + keys.sorted().joined(separator: ", ")
        }
        return "\(body.count) bytes"
    }
}

// MARK: - HTTPTrace

/// Middleware that reports each HTTP exchange to a `VerboseTrace`. Put it innermost (directly around the base
/// transport) so that it sees every retry and the final headers; it redacts `Authorization` itself.
public struct HTTPTrace: HTTPMiddleware {
    public let trace: VerboseTrace

    /// Creates the middleware.
    public init(_ trace: VerboseTrace) { self.trace = trace }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        let target = "\(request.method.rawValue) \(VerboseTrace.safeURL(request.url))"
        for line in VerboseTrace.safeHeaders(request.headers) { trace.emit(3, "> \(line)") }
        trace.emit(4, "> \(VerboseTrace.bodyShape(request.body))")
        let started = ContinuousClock.now
        do {
            let response = try await next(request)
            let elapsed = Self.milliseconds(ContinuousClock.now - started)
            let id = response.headers["x-ms-request-id"] ?? response.headers["client-request-id"]
            trace.emit(1, "\(target) → \(response.status) in \(elapsed) ms" + (id.map { " (x-ms-request-id \($0))" } ?? ""))
            for line in VerboseTrace.safeHeaders(response.headers) { trace.emit(3, "< \(line)") }
            trace.emit(4, "< \(VerboseTrace.bodyShape(response.body))")
            return response
        } catch let error as TransportError {
            trace.emit(2, "\(target) failed after \(Self.milliseconds(ContinuousClock.now - started)) ms: \(error.message)")
            throw error
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int { Int((duration.seconds * 1000).rounded()) }
}

// MARK: - ProcessTrace

/// A process runner that reports each run (argv, exit status, time, output sizes) to a `VerboseTrace` at level 2.
/// It never shows what the child printed: `az account get-access-token` prints the token.
public struct ProcessTrace: ProcessRunner {
    /// The runner that does the work.
    public let base: any ProcessRunner
    public let trace: VerboseTrace

    /// Wraps `base`.
    public init(base: any ProcessRunner, trace: VerboseTrace) {
        self.base = base
        self.trace = trace
    }

    public func run(_ request: ProcessRequest) async throws -> ProcessResult {
        let command = ([request.executable] + request.arguments).joined(separator: " ")
        let started = ContinuousClock.now
        do {
            let result = try await base.run(request)
            trace.emit(
                2,
                "ran \(command) → exit \(result.exitStatus) in \(Int(((ContinuousClock.now - started).seconds * 1000).rounded())) ms "
                    + "(stdout \(result.standardOutput.count) bytes, stderr \(result.standardError.count) bytes)")
            return result
        } catch {
            trace.emit(2, "ran \(command) → \(error)")
            throw error
        }
    }
}
