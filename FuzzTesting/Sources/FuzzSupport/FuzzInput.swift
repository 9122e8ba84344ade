import Foundation
import APIMToken

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, with the few ways the targets read them.
public struct FuzzInput: Sendable {
    /// The whole input.
    public let data: Data

    /// Copies `size` bytes at `pointer`.
    public init(_ pointer: UnsafeRawPointer, _ size: Int) {
        data = Data(bytes: pointer, count: size)
    }

    /// The input as text, invalid UTF-8 repaired (as a `String` from outside would be).
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The first byte (a selector), and the rest.
    public var selector: (UInt8, Data) {
        guard let first = data.first else { return (0, Data()) }
        return (first, data.dropFirst())
    }

    /// The input split at the first line `#~~~` (two kubeconfig files); the second is `nil` without one.
    public var twoParts: (Data, Data?) {
        let separator = Data("\n#~~~\n".utf8)
        guard let range = data.range(of: separator) else { return (data, nil) }
        return (data[..<range.lowerBound], data[range.upperBound...])
    }
}

/// Runs async code to completion from libFuzzer's synchronous callback.
///
/// It also waits until the task has released what it captured (the input): libFuzzer checks for leaks as soon as
/// the callback returns, and a task still tearing down on another thread would look like a leak.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    var sentinel: Sentinel? = Sentinel()
    weak let released = sentinel
    Task.detached { [sentinel] in
        withExtendedLifetime(sentinel) {}
        box.value = await body()
        done.signal()
    }
    sentinel = nil
    done.wait()
    while released != nil { sched_yield() }
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Deallocated when the task's closure is.
private final class Sentinel: Sendable {}

/// A directory private to this fuzzing process, for targets that must read files (kubeconfig merging).
public let scratchDirectory: String = {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    let path = "\(base)/apimtoken-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// Writes `data` to `name` in the scratch directory and returns the path.
public func scratchFile(_ name: String, _ data: Data) -> String {
    let path = "\(scratchDirectory)/\(name)"
    _ = FileManager.default.createFile(atPath: path, contents: data)
    return path
}

/// A transport that answers every request with one canned response (the fuzzed body).
public struct CannedTransport: HTTPTransport {
    /// The response.
    public let response: HTTPResponse

    /// Creates the transport.
    public init(status: Int, body: Data, headers: HTTPHeaders = [:]) {
        response = HTTPResponse(status: status, headers: headers, body: body)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse { response }
}

/// A statuses a fuzzed response is given, picked by the input's first byte: success and the non-retried failures
/// (retried ones would only sleep).
public let cannedStatuses = [200, 200, 200, 201, 400, 401, 403, 404, 409, 410, 422]
