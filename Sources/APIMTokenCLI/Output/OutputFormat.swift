import APIMToken
import ArgumentParser
import Foundation
import Yams

/// `-o table|wide|json|yaml`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml

    /// Renders an encodable document as stable JSON (sorted keys, RFC 3339 strings) or YAML (same document).
    static func document<T: Encodable>(_ value: T, as format: OutputFormat) throws -> String {
        if format == .yaml {
            // The same Encodable: explicit nils become `null`, keys sorted as in the JSON.
            let encoder = YAMLEncoder()
            encoder.options = .init(indent: 2, width: -1, allowUnicode: true, sortKeys: true)
            return try encoder.encode(value).trimmingCharacters(in: .newlines)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
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
