import Foundation

/// Which simulated server a fault or log entry concerns.
public enum SandboxServer: String, Sendable, Codable, CaseIterable {
    /// The Kubernetes API server.
    case kubernetes
    /// Azure Resource Manager (APIM).
    case arm
    /// The Entra ID token endpoint.
    case entra
    /// The instance metadata service (managed identity).
    case imds
}

/// A fault to inject into the next `count` matching requests.
public struct Fault: Sendable, Codable, Equatable {
    /// What happens to a matching request.
    public enum Action: Sendable, Codable, Equatable {
        /// Answer with this status and headers instead of the real handler; the body is the server's usual error
        /// shape (a Kubernetes `Status`, an ARM error envelope) unless `body` is given.
        case respond(status: Int, headers: [String: String], body: String?)
        /// Wait this many seconds, then handle the request normally.
        case latency(seconds: Double)
        /// Close the connection without answering (TCP reset).
        case reset
        /// Keep the request unanswered until the client goes away (or two minutes pass); the kill-matrix tests kill
        /// the client while a request is held.
        case hold
    }

    /// The server, or `nil` for any.
    public var server: SandboxServer?
    /// The method (`GET`, `PATCH`, …), or `nil`/`*` for any.
    public var method: String?
    /// A glob over the request path (`*` matches any run of characters, including `/`).
    public var pathPattern: String
    /// How many matching requests get the fault.
    public var count: Int
    /// What happens.
    public var action: Action
    /// How many matching requests pass untouched before the fault applies (`nil`: none), so that "the k-th request"
    /// can be targeted.
    public var skip: Int?
    /// An outage: once the first matching request meets the fault, every matching request during this many seconds
    /// gets it, and `count` is not used.
    public var seconds: Double?
    /// The request is handled (and any write applied) before the action replaces its response: a response lost on
    /// the way back, as when a connection drops after the server committed.
    public var afterApplying: Bool?

    /// A fault.
    public init(
        server: SandboxServer? = nil, method: String? = nil, pathPattern: String, count: Int = 1, action: Action,
        skip: Int? = nil, seconds: Double? = nil, afterApplying: Bool? = nil
    ) {
        self.server = server
        self.method = method
        self.pathPattern = pathPattern
        self.count = count
        self.action = action
        self.skip = skip
        self.seconds = seconds
        self.afterApplying = afterApplying
    }

    /// The response to a committed write lost on its way back: the server applies the request, then answers with
    /// `status` (and `headers`) instead, or resets the connection when `status` is nil.
    public static func lostResponse(
        server: SandboxServer? = .kubernetes, method: String? = nil, pathPattern: String, status: Int?, headers: [String: String] = [:],
        count: Int = 1
    ) -> Fault {
        Fault(
            server: server, method: method, pathPattern: pathPattern, count: count,
            action: status.map { .respond(status: $0, headers: headers, body: nil) } ?? .reset, afterApplying: true)
    }

    /// The API server (or another service) down for `seconds` from the first matching request on: every matching
    /// connection is reset, as a client sees a restarting server.
    public static func outage(server: SandboxServer, seconds: Double, pathPattern: String = "*") -> Fault {
        Fault(server: server, pathPattern: pathPattern, count: 1, action: .reset, seconds: seconds)
    }

    /// How a throttling response says when to retry.
    public enum RetryAfter: Sendable, Equatable {
        /// `Retry-After: <seconds>`.
        case seconds(Int)
        /// `Retry-After: <HTTP-date>`, this many seconds from now.
        case httpDate(secondsFromNow: Int)
        /// `retry-after-ms: <ms>`.
        case retryAfterMilliseconds(Int)
        /// `x-ms-retry-after-ms: <ms>`.
        case msRetryAfterMilliseconds(Int)

        /// The header that carries it.
        public var header: (String, String) {
            switch self {
            case .seconds(let s): return ("Retry-After", String(s))
            case .httpDate(let s):
                let f = DateFormatter()
                f.locale = Locale(identifier: "en_US_POSIX")
                f.timeZone = TimeZone(identifier: "GMT")
                f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                return ("Retry-After", f.string(from: Date().addingTimeInterval(TimeInterval(s))))
            case .retryAfterMilliseconds(let ms): return ("retry-after-ms", String(ms))
            case .msRetryAfterMilliseconds(let ms): return ("x-ms-retry-after-ms", String(ms))
            }
        }
    }

    /// A 429 with the given Retry-After form, `count` times.
    public static func throttle(
        server: SandboxServer? = nil, method: String? = nil, pathPattern: String, count: Int = 1, retryAfter: RetryAfter
    ) -> Fault {
        let h = retryAfter.header
        return Fault(
            server: server, method: method, pathPattern: pathPattern, count: count,
            action: .respond(status: 429, headers: [h.0: h.1], body: nil))
    }

    /// Whether this fault applies to a request.
    func matches(server: SandboxServer, method: String, path: String) -> Bool {
        if let s = self.server, s != server { return false }
        if let m = self.method, m != "*", m.uppercased() != method.uppercased() { return false }
        return Fault.glob(pathPattern, path)
    }

    /// Glob matching where `*` matches any run of characters.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count, p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

// MARK: - FaultInjector

/// The pending faults shared by every server of one sandbox.
///
/// `@unchecked Sendable`: all state is guarded by `lock`.
public final class FaultInjector: @unchecked Sendable {
    private struct Pending {
        var fault: Fault
        /// When an outage (`seconds`) began.
        var activatedAt: Date?
    }

    private let lock = NSLock()
    private var faults: [Pending] = []

    /// An empty injector.
    public init() {}

    /// Adds a fault.
    public func inject(_ fault: Fault) { lock.withLock { faults.append(Pending(fault: fault)) } }

    /// Removes every pending fault.
    public func clear() { lock.withLock { faults.removeAll() } }

    /// The faults still pending (with their remaining counts and skips).
    public var pending: [Fault] { lock.withLock { faults.map(\.fault) } }

    /// Takes one use of the first fault matching the request, if any.
    func take(server: SandboxServer, method: String, path: String, now: Date = Date()) -> Fault? {
        lock.withLock {
            faults.removeAll { pending in
                guard let started = pending.activatedAt, let seconds = pending.fault.seconds else { return false }
                return now.timeIntervalSince(started) >= seconds
            }
            guard let i = faults.firstIndex(where: { $0.fault.count > 0 && $0.fault.matches(server: server, method: method, path: path) })
            else { return nil }
            if let skip = faults[i].fault.skip, skip > 0 {
                faults[i].fault.skip = skip - 1
                return nil
            }
            let fault = faults[i].fault
            if fault.seconds != nil {
                if faults[i].activatedAt == nil { faults[i].activatedAt = now }
                return fault
            }
            faults[i].fault.count -= 1
            if faults[i].fault.count <= 0 { faults.remove(at: i) }
            return fault
        }
    }
}
