import CYAML
import FoundationEssentials

/// Prints documents the way `kubectl … -o yaml` does (sigs.k8s.io/yaml over go-yaml v2, whose emitter is a port of
/// libyaml's, which this uses):
/// - mapping keys in go-yaml v2's order at every level (see ``KeyOrder``: runs of digits compare as numbers, so
///   `k2` comes before `k10`);
/// - two-space indentation, sequences inside mappings not indented (`- ` under the key), `{}` and `[]` for empty
///   collections, no `---` before a single document;
/// - strings plain unless a YAML 1.1 reader would take them for something else (see ``PlainScalarResolution``), then
///   double-quoted; strings with a line break as literal blocks (`|`); libyaml's analysis may still single-quote a
///   string that cannot be plain (`'*'`, `'a: b'`);
/// - lines folded at 80 columns where a plain or quoted string has spaces, as go-yaml v2.4's default width does;
/// - numbers as Go prints them through JSON: integers in decimal, other numbers in their shortest form.
public enum YAMLEmitter {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One document, ending in a newline.
    public static func emit(_ value: YAMLValue) throws -> String {
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        emitter.initialize(to: yaml_emitter_t())
        guard yaml_emitter_initialize(emitter) == 1 else { throw Failure(description: "yaml: out of memory") }
        defer { yaml_emitter_delete(emitter) }
        let output = OutputBuffer()
        return try withExtendedLifetime(output) {
            yaml_emitter_set_output(
                emitter,
                { context, buffer, size in
                    guard let context, let buffer else { return 0 }
                    Unmanaged<OutputBuffer>.fromOpaque(context).takeUnretainedValue().bytes
                        .append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                    return 1
                }, Unmanaged.passUnretained(output).toOpaque())
            yaml_emitter_set_unicode(emitter, 1)
            yaml_emitter_set_indent(emitter, 2)
            yaml_emitter_set_width(emitter, 80)
            yaml_emitter_set_break(emitter, YAML_LN_BREAK)

            let session = Session(emitter: emitter)
            try session.emit { event in yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) }
            try session.emit { event in yaml_document_start_event_initialize(&event, nil, nil, nil, 1) }
            try session.node(value)
            try session.emit { event in yaml_document_end_event_initialize(&event, 1) }
            try session.emit { event in yaml_stream_end_event_initialize(&event) }
            guard yaml_emitter_flush(emitter) == 1 else { throw Failure(description: "yaml: the output could not be written") }
            // libyaml 0.2.5 ends the stream with `...` once any `|+` block scalar was written (it never resets its
            // open-ended flag); go-yaml v2, a port of the older emitter, does not, and kubectl prints none.
            if output.bytes.count > 4, output.bytes.suffix(5).elementsEqual("\n...\n".utf8) { output.bytes.removeLast(4) }
            return String(decoding: output.bytes, as: UTF8.self)
        }
    }

    /// An `Encodable` value printed as YAML: encoded to JSON first (so keys, dates and nils are exactly what the
    /// JSON output carries), then emitted.
    public static func emit(json data: Data) throws -> String {
        try emit(YAMLValue(json: data))
    }

    private final class OutputBuffer {
        var bytes: [UInt8] = []
    }

    /// The emitter while a stream is written; events go through libyaml one by one, so the document is never held
    /// twice and nesting costs no recursion in C.
    private struct Session {
        let emitter: UnsafeMutablePointer<yaml_emitter_t>

        func emit(_ initialize: (inout yaml_event_t) -> Int32) throws {
            var event = yaml_event_t()
            guard initialize(&event) == 1 else { throw Failure(description: "yaml: out of memory") }
            guard yaml_emitter_emit(emitter, &event) == 1 else {
                let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
                throw Failure(description: "yaml: \(problem)")
            }
        }

        func node(_ value: YAMLValue) throws {
            switch value {
            case .null: try scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
            case .bool(let flag): try scalar(flag ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
            case .integer(let number): try scalar(String(number), style: YAML_PLAIN_SCALAR_STYLE)
            case .number(let number): try scalar(Self.format(number), style: YAML_PLAIN_SCALAR_STYLE)
            case .string(let text): try string(text)
            case .sequence(let items):
                try emit { event in yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
                for item in items { try node(item) }
                try emit { event in yaml_sequence_end_event_initialize(&event) }
            case .mapping(let members):
                try emit { event in yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
                for (key, member) in members.sorted(by: { KeyOrder.less($0.0, $1.0) }) {
                    try string(key)
                    try node(member)
                }
                try emit { event in yaml_mapping_end_event_initialize(&event) }
            }
        }

        /// go-yaml v2's `stringv`: literal for text with a line break, plain when it reads back as a string,
        /// double-quoted otherwise.
        func string(_ text: String) throws {
            if text.utf8.contains(UInt8(ascii: "\n")) {
                try scalar(text, style: YAML_LITERAL_SCALAR_STYLE)
            } else if PlainScalarResolution.resolvesToString(text) {
                try scalar(text, style: YAML_PLAIN_SCALAR_STYLE)
            } else {
                try scalar(text, style: YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            }
        }

        func scalar(_ text: String, style: yaml_scalar_style_t) throws {
            var bytes = Array(text.utf8)
            guard let length = Int32(exactly: bytes.count) else { throw Failure(description: "yaml: a string of \(bytes.count) bytes") }
            bytes.append(0)
            try bytes.withUnsafeMutableBufferPointer { buffer in
                // libyaml copies the value; the pointer need only live through this call.
                try emit { event in yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, length, 1, 1, style) }
            }
        }

        /// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which go-yaml prints floats with: the shortest digits that
        /// read back, in exponent form (`1.5e+06`, `1e-05`) when the exponent is below -4 or at least 6.
        static func format(_ number: Double) -> String {
            guard number.isFinite else { return number.isNaN ? ".nan" : number < 0 ? "-.inf" : ".inf" }
            if number == 0 { return number.sign == .minus ? "-0" : "0" }
            // Swift's description has the same shortest round-trip digits; only the layout differs.
            let text = "\(number.magnitude)"
            let parts = text.split(separator: "e", maxSplits: 1)
            let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
            let mantissa = parts[0]
            let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
            var digits = Array(mantissa.filter { $0 != "." })
            var decimalPoint = point + exponent
            while digits.first == "0" {
                digits.removeFirst()
                decimalPoint -= 1
            }
            while digits.last == "0" { digits.removeLast() }
            let sign = number < 0 ? "-" : ""
            let exp10 = decimalPoint - 1
            if exp10 < -4 || exp10 >= 6 {
                let head = String(digits[0]) + (digits.count > 1 ? "." + String(digits[1...]) : "")
                let magnitude = abs(exp10)
                return sign + head + "e" + (exp10 < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
            }
            if decimalPoint <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
            }
            if decimalPoint >= digits.count {
                return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count)
            }
            return sign + String(digits[..<decimalPoint]) + "." + String(digits[decimalPoint...])
        }
    }
}

/// go-yaml v2's order of mapping keys (`keyList.Less` in sorter.go), which kubectl's `-o yaml` shows: strings are
/// compared rune by rune; where they differ, two letters compare by code point, a letter sorts after anything else,
/// and otherwise the runs of digits starting there compare as numbers (then by length, then by the rune).
enum KeyOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let ar = Array(a.unicodeScalars)
        let br = Array(b.unicodeScalars)
        var i = 0
        while i < ar.count && i < br.count {
            defer { i += 1 }
            if ar[i] == br[i] { continue }
            let al = isLetter(ar[i])
            let bl = isLetter(br[i])
            if al && bl { return ar[i].value < br[i].value }
            if al || bl { return bl }
            var an: Int64 = 0
            var bn: Int64 = 0
            if ar[i] == "0" || br[i] == "0" {
                var j = i - 1
                while j >= 0 && isDigit(ar[j]) {
                    if ar[j] != "0" {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            var ai = i
            while ai < ar.count && isDigit(ar[ai]) {
                an = an &* 10 &+ (Int64(ar[ai].value) &- 48)
                ai += 1
            }
            var bi = i
            while bi < br.count && isDigit(br[bi]) {
                bn = bn &* 10 &+ (Int64(br[bi].value) &- 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i].value < br[i].value
        }
        return ar.count < br.count
    }

    /// Go's `unicode.IsLetter`: the L categories.
    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// Go's `unicode.IsDigit`: decimal digits (Nd).
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber
    }
}
