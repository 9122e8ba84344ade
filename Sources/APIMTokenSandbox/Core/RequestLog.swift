import Foundation

/// One request as the sandbox saw it. It never holds a header value, a body, or a secret.
public struct RequestLogEntry: Sendable, Codable, Equatable {
    /// When the request arrived (RFC 3339, UTC, milliseconds).
    public var time: String
    /// Which server answered.
    public var server: SandboxServer
    /// The method.
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The query string (Kubernetes and ARM queries carry no secrets; Entra bodies are never logged).
    public var query: String
    /// The request's media type, or empty.
    public var contentType: String
    /// The response status (0 for a reset connection).
    public var status: Int
    /// Who made the request (user name, service account, Azure client id), when known.
    public var principal: String?
    /// Set when an injected fault answered.
    public var fault: String?
    /// Which TCP connection carried the request (numbered per server from 1), so that connection reuse is visible.
    public var connection: Int?
    /// How long the sandbox's own handler took (no network, no fault delay), so that benchmarks can tell the
    /// sandbox's share of a run from the client's.
    public var milliseconds: Double?
    /// The context name of the cluster whose API server answered, when the sandbox runs more than one cluster
    /// (`apimtoken-sandbox`, `apimtoken-sandbox-2`, …); nil for Azure and for a single cluster.
    public var cluster: String?
}

// MARK: - RequestLog

/// The request log: in memory for tests, and as JSON lines in a file.
///
/// The clusters of one sandbox keep a log each (their own in-memory entries) and share one file, in which each
/// Kubernetes entry names its cluster.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [RequestLogEntry] = []
    private let file: RequestLogFile?
    /// Stamped on this log's Kubernetes entries.
    private let cluster: String?
    /// The JSON-lines file, if any.
    public let fileURL: URL?

    /// A log that also appends to `fileURL`, naming `cluster` (if given) in its Kubernetes entries.
    public init(fileURL: URL?, cluster: String? = nil) {
        self.fileURL = fileURL
        self.file = fileURL.map(RequestLogFile.init)
        self.cluster = cluster
    }

    /// A log of its own that appends to the same file as `other`, naming `cluster` in its Kubernetes entries.
    init(sharingFileOf other: RequestLog, cluster: String) {
        self.fileURL = other.fileURL
        self.file = other.file
        self.cluster = cluster
    }

    /// Every entry so far.
    public var entries: [RequestLogEntry] { lock.withLock { storage } }

    /// Forgets the in-memory entries (the file keeps them).
    public func reset() { lock.withLock { storage.removeAll() } }

    /// Appends one entry.
    func append(_ entry: RequestLogEntry) {
        var entry = entry
        if entry.server == .kubernetes { entry.cluster = cluster }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = ((try? encoder.encode(entry)) ?? Data()) + Data([0x0A])
        lock.withLock {
            storage.append(entry)
            file?.write(line)
        }
    }

    /// Now, as the log writes times.
    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

// MARK: - RequestLogFile

/// The JSON-lines file that one or more request logs append to.
///
/// `@unchecked Sendable`: the handle is only written under `lock`.
final class RequestLogFile: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle?

    /// Creates (or empties) the file.
    init(_ url: URL) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try? FileHandle(forWritingTo: url)
    }

    deinit { try? handle?.close() }

    /// Appends one line.
    func write(_ line: Data) { lock.withLock { handle?.write(line) } }
}
