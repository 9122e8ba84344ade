import Foundation

/// A parsed label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`).
struct LabelSelector: Sendable {
    /// One requirement of a label selector.
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    /// Every requirement (all must hold).
    var requirements: [Requirement]

    /// Parses selector text; throws a message on bad syntax.
    init(_ text: String) throws {
        requirements = []
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { parts.append(current) }
        for raw in parts {
            let p = raw.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            if let r = p.range(of: " notin ") ?? p.range(of: " in ") {
                let key = p[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let rest = p[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("("), rest.hasSuffix(")") else { throw SelectorError("invalid label selector: \(p)") }
                let values = Set(rest.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                requirements.append(p[r].contains("notin") ? .notIn(key, values) : .isIn(key, values))
            } else if let r = p.range(of: "!=") {
                requirements.append(.notEquals(String(p[..<r.lowerBound]).trimmed, String(p[r.upperBound...]).trimmed))
            } else if let r = p.range(of: "==") ?? p.range(of: "=") {
                requirements.append(.equals(String(p[..<r.lowerBound]).trimmed, String(p[r.upperBound...]).trimmed))
            } else if p.hasPrefix("!") {
                requirements.append(.notExists(String(p.dropFirst()).trimmed))
            } else {
                guard !p.contains(" ") else { throw SelectorError("invalid label selector: \(p)") }
                requirements.append(.exists(p))
            }
        }
    }

    /// Whether labels satisfy every requirement.
    func matches(_ labels: [String: JSON]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k]?.stringValue == v
            case .notEquals(let k, let v): return labels[k]?.stringValue != v
            case .isIn(let k, let vs): return labels[k]?.stringValue.map { vs.contains($0) } ?? false
            case .notIn(let k, let vs): return labels[k]?.stringValue.map { !vs.contains($0) } ?? true
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            }
        }
    }

    /// Whether an object's labels match.
    func matches(object: JSON) -> Bool { matches(object[path: ["metadata", "labels"]]?.objectValue ?? [:]) }

    /// Builds a selector from a `LabelSelector` object (`matchLabels` and `matchExpressions`).
    static func from(_ selector: JSON?) -> LabelSelector {
        var s = (try? LabelSelector("")) ?? LabelSelector(requirements: [])
        for (k, v) in selector?["matchLabels"]?.objectValue ?? [:] { s.requirements.append(.equals(k, v.stringValue ?? "")) }
        for e in selector?["matchExpressions"]?.arrayValue ?? [] {
            let key = e["key"]?.stringValue ?? ""
            let values = Set((e["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch e["operator"]?.stringValue {
            case "In": s.requirements.append(.isIn(key, values))
            case "NotIn": s.requirements.append(.notIn(key, values))
            case "Exists": s.requirements.append(.exists(key))
            case "DoesNotExist": s.requirements.append(.notExists(key))
            default: break
            }
        }
        return s
    }

    private init(requirements: [Requirement]) { self.requirements = requirements }
}

// MARK: - FieldSelector

/// A parsed field selector (`metadata.name=x,metadata.namespace!=y`, plus `type`, `status.phase`, `spec.nodeName`,
/// `involvedObject.*` and `regarding.*`, which the real server also supports for some kinds).
struct FieldSelector: Sendable {
    /// Every requirement (all must hold).
    var requirements: [(path: [String], value: String, equal: Bool)]

    /// Parses selector text.
    init(_ text: String) throws {
        requirements = []
        for raw in text.split(separator: ",") {
            let p = String(raw).trimmed
            let equal: Bool
            let parts: [String]
            if let r = p.range(of: "!=") {
                equal = false
                parts = [String(p[..<r.lowerBound]), String(p[r.upperBound...])]
            } else if let r = p.range(of: "==") ?? p.range(of: "=") {
                equal = true
                parts = [String(p[..<r.lowerBound]), String(p[r.upperBound...])]
            } else {
                throw SelectorError("invalid field selector: \(p)")
            }
            let field = parts[0].trimmed
            let allowed = [
                "metadata.name", "metadata.namespace", "type", "status.phase", "status.podIP", "spec.nodeName", "spec.serviceAccountName",
                "spec.restartPolicy", "reason", "reportingComponent", "reportingController", "source",
            ]
            guard allowed.contains(field) || field.hasPrefix("involvedObject.") || field.hasPrefix("regarding.") else {
                throw SelectorError("field label not supported: \(field)")
            }
            let path = field == "source" ? ["source", "component"] : field.split(separator: ".").map(String.init)  // Event's `source` is its component
            requirements.append((path, parts[1].trimmed, equal))
        }
    }

    /// The name this selector pins, if it has `metadata.name=`.
    var pinnedName: String? { requirements.first { $0.path == ["metadata", "name"] && $0.equal }?.value }

    /// Whether an object matches.
    func matches(object: JSON) -> Bool {
        requirements.allSatisfy { r in
            let value = object[path: r.path].flatMap { $0.stringValue ?? $0.intValue.map(String.init) } ?? ""
            return (value == r.value) == r.equal
        }
    }
}

// MARK: - SelectorError

/// A selector that does not parse.
struct SelectorError: Error {
    /// What is wrong.
    var message: String
    /// An error with a message.
    init(_ message: String) { self.message = message }
}

extension String {
    /// Trimmed of spaces.
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
