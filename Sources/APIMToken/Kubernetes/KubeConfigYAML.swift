import CYaml
import Foundation
import Yams

/// Parses kubeconfig bytes defensively: a size cap, then a streaming libyaml pass that bounds the
/// nesting depth and the alias-expanded node count, and only then Yams' composer.
///
/// Yams composes recursively, so a 100 000-level document would overflow the stack; the streaming
/// pass uses libyaml's event parser (iterative) and stops at the first level beyond the limit.
/// An alias bomb is caught the same way: the pass knows the expanded size of every anchor.
enum KubeConfigYAML {
    /// Limits applied to one kubeconfig file.
    struct Limits: Sendable, Equatable {
        /// The largest file accepted, in bytes.
        var maxBytes: Int = 4 * 1024 * 1024
        /// The deepest nesting of collections accepted.
        var maxDepth: Int = 64
        /// The most nodes the document may have once every alias is expanded.
        var maxExpandedNodes: Int = 200_000
    }

    /// Why a document was refused; the caller names the file.
    struct Failure: Error, Sendable, Equatable {
        /// What was wrong (never a quote of the document).
        var reason: String
        /// What to do next.
        var remedy: String?
    }

    /// Parses `data` (the contents of `path`, named in every error) into a node tree.
    /// An empty or comment-only document yields `.null`.
    static func parse(_ data: Data, path: String, limits: Limits = Limits()) throws -> KubeConfigNode {
        do {
            return try parse(data, limits: limits)
        } catch let failure as Failure {
            throw KubeConfigError.loading(path, failure.reason, remedy: failure.remedy.map { "\($0) (\(path))." })
        }
    }

    /// Parses `data` into a node tree, throwing `Failure`.
    static func parse(_ data: Data, limits: Limits) throws -> KubeConfigNode {
        let path = "the file"
        guard data.count <= limits.maxBytes else {
            throw Failure(reason: "the file is \(data.count) bytes, more than the \(limits.maxBytes / 1024 / 1024) MiB a kubeconfig may have",
                                          remedy: "Check that the file is really a kubeconfig; kubeconfigs are a few kilobytes")
        }
        guard let text = decodeText(data) else {
            throw Failure(reason: "the file is not UTF-8 text",
                                          remedy: "Check that the file is really a kubeconfig (YAML text), not a binary file")
        }
        if text.utf8.contains(0) {
            throw Failure(reason: "yaml: control characters are not allowed",
                                          remedy: "Check that the file is really a kubeconfig (YAML text), not a binary file")
        }
        try guardStructure(text, path: path, limits: limits)
        let root: Node?
        do {
            let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
            root = try parser.nextRoot()
        } catch let error as YamlError {
            throw Failure(reason: "yaml: \(summary(of: error))")
        }
        guard let root else { return .null }
        var budget = limits.maxExpandedNodes
        return try convert(root, depth: 0, budget: &budget, path: path, limits: limits)
    }

    /// The document's text. Like Go's YAML reader, a byte-order mark selects UTF-16 (Windows PowerShell 5.1 writes
    /// `kubectl config view --raw > config` as UTF-16LE) or is dropped for UTF-8; without one the text is UTF-8.
    static func decodeText(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8) }
        return String(data: data, encoding: .utf8)
    }

    // MARK: - Streaming guard

    /// Walks the first document's libyaml events without building anything, enforcing the limits.
    private static func guardStructure(_ text: String, path: String, limits: Limits) throws {
        var bytes = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(reason: "yaml: out of memory") }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // Each open collection: (nodes counted so far, anchor). Sizes saturate just above the budget.
            var stack: [(count: Int, anchor: String?)] = []
            var anchorSizes: [String: Int] = [:]
            var total = 0
            let cap = limits.maxExpandedNodes + 1
            func add(_ size: Int, anchor: String?) throws {
                if let anchor { anchorSizes[anchor] = size }
                if stack.isEmpty { total = min(cap, total + size) } else { stack[stack.count - 1].count = min(cap, stack[stack.count - 1].count + size) }
                let running = min(cap, total + stack.reduce(0) { min(cap, $0 + $1.count) })
                if running > limits.maxExpandedNodes {
                    throw Failure(reason: "yaml: document expands to more than \(limits.maxExpandedNodes) nodes (alias expansion)",
                                                  remedy: "Remove the YAML anchors and aliases; kubeconfigs do not need them")
                }
            }
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    if problem.contains("nesting level") {
                        // libyaml's own flow-nesting limit (1000) can trip first: its scanner runs ahead of the parser.
                        throw Failure(reason: "yaml: line \(parser.problem_mark.line + 1): nesting deeper than \(limits.maxDepth) levels",
                                      remedy: "Check that the file is really a kubeconfig; kubeconfigs nest fewer than 10 levels")
                    }
                    throw Failure(reason: "yaml: line \(parser.problem_mark.line + 1): \(problem)")
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchorPointer = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    stack.append((count: 1, anchor: anchorPointer.map { String(cString: $0) }))
                    if stack.count > limits.maxDepth {
                        throw Failure(reason: "yaml: line \(event.start_mark.line + 1): nesting deeper than \(limits.maxDepth) levels",
                                                      remedy: "Check that the file is really a kubeconfig; kubeconfigs nest fewer than 10 levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let frame = stack.removeLast()
                    try add(frame.count, anchor: frame.anchor)
                case YAML_SCALAR_EVENT:
                    try add(1, anchor: event.data.scalar.anchor.map { String(cString: $0) })
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    try add(anchorSizes[name] ?? 1, anchor: nil)
                case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                    return
                default:
                    break
                }
            }
        }
    }

    // MARK: - Conversion

    private static func convert(_ node: Node, depth: Int, budget: inout Int, path: String, limits: Limits) throws -> KubeConfigNode {
        budget -= 1
        guard budget >= 0, depth <= limits.maxDepth else {
            throw Failure(reason: "yaml: document is too large or too deeply nested")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain || scalar.style == .any {
                switch Tag.Name(rawValue: node.tag.rawValue) {
                case .null: return .null
                case .bool: return .scalar(scalar.string, .bool)
                case .int: return .scalar(scalar.string, .int)
                case .float: return .scalar(scalar.string, .float)
                default: return .scalar(scalar.string, .string)
                }
            }
            return .scalar(scalar.string, .string)
        case .sequence(let sequence):
            return .sequence(try sequence.map { try convert($0, depth: depth + 1, budget: &budget, path: path, limits: limits) })
        case .mapping(let mapping):
            var entries: [KubeConfigNode.Entry] = []
            var merged: [KubeConfigNode.Entry] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw Failure(reason: "yaml: line \((keyNode.mark?.line ?? 0)): mapping keys must be scalars")
                }
                let value = try convert(valueNode, depth: depth + 1, budget: &budget, path: path, limits: limits)
                if keyScalar.string == "<<" && keyScalar.style == .plain {
                    switch value {
                    case .mapping(let more): merged.append(contentsOf: more)
                    case .sequence(let maps):
                        for case .mapping(let more) in maps { merged.append(contentsOf: more) }
                    default: break
                    }
                    continue
                }
                if !entries.contains(where: { $0.key == keyScalar.string }) {
                    entries.append(.init(key: keyScalar.string, value: value))
                }
            }
            for entry in merged where !entries.contains(where: { $0.key == entry.key }) { entries.append(entry) }
            return .mapping(entries)
        case .alias:
            throw Failure(reason: "yaml: unresolved alias")
        }
    }

    /// libyaml's problem text and line, without echoing the document (which may hold secrets).
    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line): \(problem)"
        case .reader(let problem, _, _, _):
            return problem
        default:
            return "the document could not be parsed"
        }
    }
}
