import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// What this package used from full Foundation and FoundationEssentials lacks. Full Foundation brings ICU (half the
// binary, and part of the start-up and memory cost), so nothing linked into `kubectl-apimtoken` imports it; a test
// checks the binary's symbols.

extension Unicode.Scalar {
    /// Foundation's `CharacterSet.whitespaces`: space separators (Unicode Zs) and the tab.
    package var isHorizontalWhitespace: Bool {
        self == "\t" || properties.generalCategory == .spaceSeparator
    }

    /// Foundation's `CharacterSet.newlines`: U+000A–U+000D, U+0085, U+2028 and U+2029.
    package var isNewline: Bool {
        switch value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// An ASCII letter or digit.
    package var isASCIIAlphanumeric: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing scalars that match `predicate`.
    package func trimming(while predicate: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !predicate($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !predicate($0) })!
        return String(Substring(scalars[first...last]))
    }

    /// Without leading and trailing spaces and tabs (Foundation's `.whitespaces`).
    package func trimmingWhitespace() -> String {
        trimming(while: \.isHorizontalWhitespace)
    }

    /// Without leading and trailing whitespace and line breaks (Foundation's `.whitespacesAndNewlines`).
    package func trimmingWhitespaceAndNewlines() -> String {
        trimming(while: { $0.isHorizontalWhitespace || $0.isNewline })
    }

    /// Without leading and trailing line breaks.
    package func trimmingNewlines() -> String {
        trimming(while: \.isNewline)
    }

    /// Equal when ASCII letters are compared without case (header names, GUIDs, Azure resource names).
    package func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        func fold(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        return utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { fold($0) == fold($1) }
    }

    /// UTF-8 percent-encoding of every byte whose scalar `allowed` rejects (RFC 3986 `%XX`, upper-case hex).
    package func percentEncoded(allowing allowed: (Unicode.Scalar) -> Bool) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if allowed(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 {
                    out += "%" + byte.hex(width: 2, uppercase: true)
                }
            }
        }
        return out
    }
}

extension StringProtocol {
    /// The text with `%XX` sequences decoded, or nil when one is malformed or the bytes are not UTF-8
    /// (Foundation's `removingPercentEncoding`).
    package var percentDecoded: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}

extension BinaryInteger {
    /// Decimal digits, left-padded with zeros to `width` (`String(format: "%0Nd")`).
    package func padded(_ width: Int) -> String {
        let digits = String(self.magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Hexadecimal digits, left-padded with zeros to `width` (`String(format: "%02x")`).
    package func hex(width: Int, uppercase: Bool = false) -> String {
        let digits = String(self, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// The process's standard output and error, written with `write(2)`: unbuffered, so lines from several tasks and a
/// signal handler's final message are never interleaved within a line or lost at exit.
package enum StandardStream {
    case output, error

    package func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(self == .output ? 1 : 2, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#else
    private let systemWrite = Darwin.write
#endif

/// Runs `body` on a new detached thread (Foundation's `Thread.detachNewThread`).
package func detachThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(
        &thread, nil,
        { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, context)
    if started == 0 {
        pthread_detach(thread)
    } else {
        // No thread to be had (the process is at its limit): run here rather than lose the work.
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
    }
}

/// The text of an `errno` value.
package func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// A mutual-exclusion lock for state shared across threads that `Mutex` cannot hold (it is used from synchronous
/// and asynchronous code alike, and from signal-forwarding threads).
package final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}
