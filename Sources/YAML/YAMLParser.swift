import CYAML
import FoundationEssentials

/// Parses YAML defensively, in time and memory linear in the input: a size cap, then one pass over
/// libyaml's event stream that builds the node tree without recursion.
///
/// - Nesting is bounded (`maxDepth`), so a 100 000-level document is refused at the first level too deep; libyaml's
///   own flow-nesting limit (1000) may trip first, and is reported the same way.
/// - Aliases are expanded by sharing (a `YAMLNode` is a value with copy-on-write storage), and the nodes they
///   add are counted: an alias bomb is refused once aliases would add more than `maxAliasNodes` nodes.
/// - A repeated mapping key keeps its last value, as kubectl's YAML decoder (sigs.k8s.io/yaml) does; the keys of a
///   mapping with more than a few are indexed in a dictionary, so a mapping with a million keys costs a million
///   steps, not a million squared (a small one is scanned, which costs less than hashing into a new dictionary).
/// - Only the first document is read; kubectl ignores the rest of the stream too.
public enum YAMLParser {
    /// Limits applied to one document.
    public struct Limits: Sendable, Equatable {
        /// The largest input accepted, in bytes.
        public var maxBytes: Int
        /// The deepest nesting of collections accepted.
        public var maxDepth: Int
        /// The most nodes that aliases may add to the document once expanded (the document's own nodes are bounded
        /// by `maxBytes`).
        public var maxAliasNodes: Int

        public init(maxBytes: Int = 4 * 1024 * 1024, maxDepth: Int = 64, maxAliasNodes: Int = 200_000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxAliasNodes = maxAliasNodes
        }
    }

    /// Why a document was refused. The reason never quotes the document; the caller names the file and says what
    /// to do, by `kind`.
    public struct Failure: Error, Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case tooLarge, notText, tooDeep, aliasBomb, syntax, other
        }

        public var kind: Kind
        public var reason: String

        public init(_ kind: Kind, _ reason: String) {
            self.kind = kind
            self.reason = reason
        }
    }

    /// Parses `data` into a node tree; an empty or comment-only document is `.null`.
    public static func parse(_ data: Data, limits: Limits = Limits()) throws(Failure) -> YAMLNode {
        guard data.count <= limits.maxBytes else {
            throw Failure(.tooLarge, "the input is \(data.count) bytes, more than the \(limits.maxBytes) allowed")
        }
        guard let text = decodeText(data) else { throw Failure(.notText, "the file is not UTF-8 text") }
        var bytes = Array(text.utf8)
        if bytes.contains(0) { throw Failure(.notText, "yaml: control characters are not allowed") }
        var composer = Composer(limits: limits)
        do {
            return try composer.compose(&bytes)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.other, "yaml: \(error)")
        }
    }

    /// The document's text. Like Go's YAML reader, a byte-order mark selects UTF-16 (Windows PowerShell 5.1 writes
    /// `kubectl config view --raw > config` as UTF-16LE) or is dropped for UTF-8; without one the text is UTF-8.
    public static func decodeText(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8) }
        return String(data: data, encoding: .utf8)
    }
}

// MARK: - Composer

extension YAMLParser {
    /// Builds the first document's node tree from libyaml events with an explicit stack.
    struct Composer {
        let limits: Limits

        /// A collection still open.
        private struct Frame {
            var isMapping: Bool
            var anchor: String?
            /// Nodes below and including this one, aliases expanded (saturating at `cap`).
            var size = 1
            var items: [YAMLNode] = []
            var entries: [YAMLNode.Entry] = []
            /// Position of each key in `entries`, so a repeated key replaces its value in constant time; built once
            /// the mapping has more than `scannedKeys` entries (until then a repeated key is found by a scan).
            var index: [String: Int]?
            /// Entries brought in by `<<` merge keys; explicit keys take precedence, earlier merges over later ones.
            var merged: [YAMLNode.Entry] = []
            /// The key waiting for its value; `nil` when the next node is a key.
            var pendingKey: String?
            var pendingIsMerge = false
        }

        private var stack: [Frame] = []
        private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
        private var aliasNodes = 0

        init(limits: Limits) { self.limits = limits }

        private var cap: Int { limits.maxAliasNodes + 1 }

        /// The most keys a mapping has before they are indexed.
        private static let scannedKeys = 8

        mutating func compose(_ bytes: inout [UInt8]) throws -> YAMLNode {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { throw Failure(.other, "yaml: out of memory") }
            defer { yaml_parser_delete(&parser) }
            return try bytes.withUnsafeMutableBufferPointer { buffer in
                yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
                var event = yaml_event_t()
                while true {
                    guard yaml_parser_parse(&parser, &event) == 1 else {
                        throw Self.syntaxFailure(parser, maxDepth: limits.maxDepth)
                    }
                    defer { yaml_event_delete(&event) }
                    let line = Int(event.start_mark.line) + 1
                    switch event.type {
                    case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                        let isMapping = event.type == YAML_MAPPING_START_EVENT
                        let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                        stack.append(Frame(isMapping: isMapping, anchor: anchor.map { String(cString: $0) }))
                        if stack.count > limits.maxDepth {
                            throw Failure(.tooDeep, "yaml: line \(line): nesting deeper than \(limits.maxDepth) levels")
                        }
                    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                        var frame = stack.removeLast()
                        let node: YAMLNode
                        if frame.isMapping {
                            if !frame.merged.isEmpty {
                                var keys = Set(frame.entries.map(\.key))
                                for entry in frame.merged where keys.insert(entry.key).inserted {
                                    frame.entries.append(entry)
                                }
                            }
                            node = .mapping(frame.entries)
                        } else {
                            node = .sequence(frame.items)
                        }
                        if let anchor = frame.anchor { anchors[anchor] = (node, frame.size) }
                        if let root = try deliver(node, size: frame.size, key: nil, line: line) { return root }
                    case YAML_SCALAR_EVENT:
                        let scalar = event.data.scalar
                        let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
                        let tag = scalar.tag.map { String(cString: $0) }
                        let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE
                        let node = Self.resolve(text, tag: tag, isPlain: isPlain)
                        if let anchor = scalar.anchor { anchors[String(cString: anchor)] = (node, 1) }
                        let isMergeKey = isPlain && tag == nil && text == "<<"
                        if let root = try deliver(node, size: 1, key: (text, isMergeKey), line: line) { return root }
                    case YAML_ALIAS_EVENT:
                        let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                        guard let (node, size) = anchors[name] else {
                            throw Failure(.syntax, "yaml: line \(line): unknown anchor '\(Self.clip(name))' referenced")
                        }
                        aliasNodes = min(cap, aliasNodes + size)
                        if aliasNodes > limits.maxAliasNodes {
                            throw Failure(
                                .aliasBomb, "yaml: line \(line): aliases expand the document by more than \(limits.maxAliasNodes) nodes (an alias bomb)")
                        }
                        if let root = try deliver(node, size: size, key: (node.text ?? "", false), line: line) { return root }
                    case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                        return .null
                    default:
                        break
                    }
                }
            }
        }

        /// Adds a finished node to the open collection; returns it when it is the document's root.
        private mutating func deliver(_ node: YAMLNode, size: Int, key: (text: String, isMerge: Bool)?, line: Int) throws -> YAMLNode? {
            guard !stack.isEmpty else { return node }
            let top = stack.count - 1
            stack[top].size = min(cap, stack[top].size + size)
            guard stack[top].isMapping else {
                stack[top].items.append(node)
                return nil
            }
            guard let pendingKey = stack[top].pendingKey else {
                guard let key else { throw Failure(.syntax, "yaml: line \(line): mapping keys must be scalars") }
                stack[top].pendingKey = key.text
                stack[top].pendingIsMerge = key.isMerge
                return nil
            }
            stack[top].pendingKey = nil
            if stack[top].pendingIsMerge {
                switch node {
                case .mapping(let more): stack[top].merged.append(contentsOf: more)
                case .sequence(let maps):
                    for case .mapping(let more) in maps { stack[top].merged.append(contentsOf: more) }
                default: break
                }
                return nil
            }
            let position: Int?
            if let index = stack[top].index {
                position = index[pendingKey]
            } else {
                position = stack[top].entries.firstIndex { $0.key == pendingKey }
            }
            if let position {
                stack[top].entries[position].value = node
                return nil
            }
            stack[top].entries.append(.init(key: pendingKey, value: node))
            let count = stack[top].entries.count
            if stack[top].index != nil {
                stack[top].index![pendingKey] = count - 1
            } else if count > Self.scannedKeys {
                var index = [String: Int](minimumCapacity: count * 2)
                for (position, entry) in stack[top].entries.enumerated() { index[entry.key] = position }
                stack[top].index = index
            }
            return nil
        }

        /// libyaml's problem and line, without echoing the document (which may hold secrets).
        private static func syntaxFailure(_ parser: yaml_parser_t, maxDepth: Int) -> Failure {
            let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
            let line = parser.problem_mark.line + 1
            if problem.contains("nesting level") {
                return Failure(.tooDeep, "yaml: line \(line): nesting deeper than \(maxDepth) levels")
            }
            if parser.error == YAML_MEMORY_ERROR { return Failure(.other, "yaml: out of memory") }
            return Failure(.syntax, "yaml: line \(line): \(problem)")
        }

        private static func clip(_ text: String) -> String {
            text.count <= 64 ? text : String(text.prefix(64)) + "…"
        }

        // MARK: - Scalars

        /// A scalar's value: an explicit tag decides, else go-yaml v2's resolution of plain scalars.
        static func resolve(_ text: String, tag: String?, isPlain: Bool) -> YAMLNode {
            if let tag, tag != "!" {
                switch tag {
                case "tag:yaml.org,2002:null": return .null
                case "tag:yaml.org,2002:bool": return .scalar(text, .bool)
                case "tag:yaml.org,2002:int": return .scalar(text, .int)
                case "tag:yaml.org,2002:float": return .scalar(text, .float)
                default: return .scalar(text, .string)
                }
            }
            guard isPlain, tag == nil else { return .scalar(text, .string) }
            switch PlainScalarResolution.kind(of: text) {
            case .null: return .null
            case .bool: return .scalar(text, .bool)
            case .int: return .scalar(text, .int)
            case .float: return .scalar(text, .float)
            case .string: return .scalar(text, .string)
            }
        }
    }
}
