import APIMToken
import ArgumentParser
import Foundation
import Yams

/// `-o table|wide|json|yaml`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml

    /// Renders an encodable document as stable JSON (sorted keys, RFC 3339 strings) or YAML (same document).
    static func document<T: Encodable>(_ value: T, as format: OutputFormat) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let json = try encoder.encode(value)
        if format == .json { return String(decoding: json, as: UTF8.self) }
        // YAML from the same JSON keeps key order and null handling identical between the two.
        let value = try JSONDecoder().decode(JSONValue.self, from: json)
        return try Yams.serialize(node: value.yamlNode, sortKeys: true).trimmingCharacters(in: .newlines)
    }
}

/// A JSON document, to turn rendered JSON into the same YAML.
enum JSONValue: Decodable {
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .number(String(value)) }
        else if let value = try? container.decode(Double.self) { self = .number(String(value)) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var yamlNode: Node {
        switch self {
        case .null: Node("null", Tag(.null))
        case .bool(let value): Node(value ? "true" : "false", Tag(.bool))
        case .number(let value): Node(value, Tag(value.contains(".") ? .float : .int))
        case .string(let value): Node(value, Tag(.str))
        case .array(let values): .sequence(Node.Sequence(values.map(\.yamlNode)))
        case .object(let values): .mapping(Node.Mapping(values.sorted { $0.key < $1.key }.map { (Node($0.key), $0.value.yamlNode) }))
        }
    }
}

/// A plain text table with columns padded like kubectl's.
struct Table {
    var headers: [String]
    var rows: [[String]]

    func render(paint: (Int, Int, String) -> String = { _, _, text in text }) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], row: Int) -> String {
            cells.enumerated().map { index, cell in
                let padded = index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
                return row < 0 ? padded : paint(row, index, padded)
            }.joined().trimmingCharacters(in: .whitespaces)
        }
        return ([line(headers, row: -1)] + rows.enumerated().map { line($0.element, row: $0.offset) }).joined(separator: "\n")
    }
}
