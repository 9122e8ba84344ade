import CCurl
import FoundationEssentials

// MARK: - CurlEasyHandle

/// Owns one `CURL*` easy handle and frees it in `deinit`. All libcurl calls of the package go through here
/// and `CurlTransport`. A handle is used by one request at a time; between requests `reset()` clears its
/// options while keeping its connection cache, so connections (and TLS sessions) are reused.
final class CurlEasyHandle {
    /// The raw handle.
    let raw: UnsafeMutableRawPointer

    /// Creates a handle; fails only when libcurl cannot allocate one.
    init() throws {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw TransportError(kind: .other, host: "", message: "libcurl could not create a handle")
        }
        raw = handle
    }

    deinit { curl_easy_cleanup(raw) }

    /// Clears every option, keeping live connections for reuse.
    func reset() { curl_easy_reset(raw) }

    /// Sets a `long` option.
    func set(_ option: CURLoption, _ value: Int) throws {
        try check(apim_setopt_long(raw, option, value), option)
    }

    /// Sets a string option (libcurl copies strings it is given).
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { apim_setopt_string(raw, option, $0) }, option)
    }

    /// Sets a blob option (libcurl keeps its own copy).
    func set(_ option: CURLoption, blob: Data) throws {
        try check(blob.withUnsafeBytes { apim_setopt_blob(raw, option, $0.baseAddress, $0.count) }, option)
    }

    /// Sets the request body; libcurl copies it (`CURLOPT_COPYPOSTFIELDS` after the size).
    func setBody(_ body: Data) throws {
        try check(apim_setopt_off(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), CURLOPT_POSTFIELDSIZE_LARGE)
        if body.isEmpty {
            try check(apim_setopt_string(raw, CURLOPT_COPYPOSTFIELDS, ""), CURLOPT_COPYPOSTFIELDS)
        } else {
            try check(body.withUnsafeBytes { apim_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }, CURLOPT_COPYPOSTFIELDS)
        }
    }

    /// Reads the final response status.
    func responseCode() -> Int {
        var code = 0
        _ = apim_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code != CURLE_OK else { return }
        let reason = String(cString: curl_easy_strerror(code))
        throw TransportError(
            kind: .configuration, host: "",
            message: "libcurl refused option \(option.rawValue): \(reason) (libcurl \(CurlGlobal.version) needs the OpenSSL flavour ≥ 7.77)",
            curlCode: Int(code.rawValue))
    }
}

// MARK: - CurlGlobal

/// One-time, thread-safe global initialisation of libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    /// Runs `curl_global_init` once.
    static func initialize() { _ = initialized }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.19 …`.
    static var version: String { String(cString: curl_version()) }
}

// MARK: - CurlHandlePool

/// Idle easy handles kept for reuse, so consecutive requests to one server share connections.
final class CurlHandlePool: @unchecked Sendable {
    // Guarded by `lock`.
    private var idle: [CurlEasyHandle] = []
    private let lock = Lock()
    private let capacity: Int

    /// Creates a pool that keeps at most `capacity` idle handles.
    init(capacity: Int = 4) { self.capacity = capacity }

    /// Takes an idle handle or makes a new one.
    func take() throws -> CurlEasyHandle {
        if let handle = lock.withLock({ idle.popLast() }) {
            handle.reset()
            return handle
        }
        return try CurlEasyHandle()
    }

    /// Returns a handle after a request; extra handles are freed.
    func give(_ handle: CurlEasyHandle) {
        lock.withLock {
            if idle.count < capacity { idle.append(handle) }
        }
    }
}
