import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Authenticates requests to the API server as the resolved kubeconfig user (or the pod's service account).
///
/// - `bearerToken`: `Authorization: Bearer TOKEN`.
/// - `tokenFile`: the file is read (and trimmed) on every request, so a rotated token is picked up.
/// - `basic`: `Authorization: Basic …`.
/// - `exec`: the plugin's token from `execProvider` (cached until it expires). On a 401 the cached credential
///   is dropped, the plugin runs again once and the request is retried once with the new token.
/// - A request that already carries `Authorization` passes through untouched (as in client-go).
///
/// Client certificates are not this middleware's business: static ones are in `ClusterConnection.tls`, and an exec
/// plugin's certificate is obtained with `execProvider.effectiveTLS(base:)` before the transport is built.
public struct KubeAuthMiddleware: HTTPMiddleware {
    /// How requests authenticate.
    public let credential: KubeCredential
    /// The exec plugin runner and cache, when the credential is `.exec`.
    public let execProvider: ExecCredentialProvider?

    /// Creates the middleware for `connection`.
    ///
    /// - Parameters:
    ///   - runner: runs exec plugins (`POSIXProcessRunner()` in production).
    ///   - clock: decides when an exec credential has expired.
    ///   - environment: the environment exec plugins inherit.
    ///   - execTimeout: the exec plugin's time limit when it runs without the terminal.
    ///   - interactiveExecTimeout: the exec plugin's time limit when it runs interactively.
    public init(
        connection: ClusterConnection,
        runner: any ProcessRunner,
        clock: any WallClock,
        environment: Environment,
        execTimeout: Duration = ExecCredentialProvider.defaultTimeout,
        interactiveExecTimeout: Duration = ExecCredentialProvider.defaultInteractiveTimeout
    ) {
        self.credential = connection.credential
        if case .exec(let config) = connection.credential {
            self.execProvider = ExecCredentialProvider(
                config: config, cluster: connection, runner: runner, clock: clock,
                environment: environment, timeout: execTimeout,
                interactiveTimeout: interactiveExecTimeout)
        } else {
            self.execProvider = nil
        }
    }

    /// Creates the middleware around an existing provider (so that the API client and the middleware share one cache).
    public init(credential: KubeCredential, execProvider: ExecCredentialProvider?) {
        self.credential = credential
        self.execProvider = execProvider
    }

    public func intercept(
        _ request: HTTPRequest,
        next: @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        if request.headers["Authorization"] != nil { return try await next(request) }
        var request = request
        switch credential {
        case .none:
            return try await next(request)
        case .bearerToken(let token):
            request.headers["Authorization"] = "Bearer \(token.value)"
            return try await next(request)
        case .tokenFile(let path):
            request.headers["Authorization"] = "Bearer \(try Self.readToken(path))"
            return try await next(request)
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password.value)".utf8).base64EncodedString()
            request.headers["Authorization"] = "Basic \(encoded)"
            return try await next(request)
        case .exec:
            guard let provider = execProvider else { return try await next(request) }
            let (credential, generation) = try await provider.credential()
            var first = request
            if let token = credential.token { first.headers["Authorization"] = "Bearer \(token.value)" }
            let response = try await next(first)
            guard response.status == 401 else { return response }
            let (renewed, _) = try await provider.refresh(after: generation)
            var second = request
            if let token = renewed.token { second.headers["Authorization"] = "Bearer \(token.value)" }
            return try await next(second)
        }
    }

    /// Reads a bearer token file as client-go does (whitespace trimmed; empty is an error). Errors read as
    /// client-go's: `failed to read token file "P": open P: no such file or directory`.
    static func readToken(_ path: String) throws -> String {
        let data: Data
        do {
            data = try readSmallFile(path)
        } catch {
            throw KubeConfigError(
                "failed to read token file \"\(path)\": \(error.description)",
                remedy: "Check tokenFile in the kubeconfig (or the service-account token mount in a pod).")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines()
        guard !token.isEmpty else {
            throw KubeConfigError("read empty token from file \"\(path)\"", remedy: "Write the token into \(path).")
        }
        return token
    }

    /// A failed `open` or `read`, worded as Go's `*PathError` (`open P: permission denied`).
    struct FileError: Error, CustomStringConvertible {
        var description: String
        init(_ operation: String, _ path: String, _ code: Int32) {
            description = "\(operation) \(path): \(KubeConfig.goErrorText(code))"
        }
    }

    /// The bytes of a token file; more than `limit` bytes (no real token comes close) is an error.
    static func readSmallFile(_ path: String, limit: Int = 1024 * 1024) throws(FileError) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError("open", path, errno) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count <= limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError("read", path, errno)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        guard data.count <= limit else { throw FileError("read", path, EFBIG) }
        return data
    }
}
