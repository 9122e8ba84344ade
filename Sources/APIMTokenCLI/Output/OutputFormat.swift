import APIMToken
import ArgumentParser
import FoundationEssentials
import YAML

/// `-o table|wide|json|yaml`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml

    /// Renders an encodable document as stable JSON (sorted keys, RFC 3339 strings) or YAML (same document).
    static func document<T: Encodable>(_ value: T, as format: OutputFormat) throws -> String {
        let encoder = JSONEncoder()
        // The YAML is emitted from the same JSON, so it need not be indented first.
        encoder.outputFormatting = format == .yaml ? [.sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let json = try encoder.encode(value)
        // YAML is the same document: explicit nils are `null`, keys sorted as in the JSON.
        return format == .yaml ? try YAMLEmitter.emit(json: json).trimmingNewlines() : String(decoding: json, as: UTF8.self)
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
                let padded = index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] + 3 - cell.count))
                return row < 0 ? padded : paint(row, index, padded)
            }.joined().trimmingWhitespace()
        }
        return ([line(headers, row: -1)] + rows.enumerated().map { line($0.element, row: $0.offset) }).joined(separator: "\n")
    }
}
